"""What the simulated reporters write: a description per category, in the voice of each
source, and the place as each of them names it.

The voices follow how these reports read in practice: a field supervisor's 城管通 entry is
terse and factual (what, how much, where); a citizen describes the nuisance and asks for
help; the 12345 hotline operator records "市民来电反映…"; video analytics names the
detection and the camera; a leader's instruction and a media report are quoted as such.
The phrases are written for this project (no real report is copied); numbers in them are
drawn at random within plausible ranges.

Categories not listed here (the plan's weights may grow) fall back to the category's name.
"""

from __future__ import annotations

import numpy as np

#: Per category code: (a supervisor's finding, a citizen's complaint). ``{n}`` is a small
#: count or size drawn per report.
PROBLEMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "06010": (
        ("路边有暴露垃圾约{n}平方米，未及时清运", "绿化带内堆有生活垃圾{n}袋，未清运"),
        ("楼下垃圾堆了好几天没人收，味道很大", "路边一堆垃圾没人管，苍蝇很多"),
    ),
    "07001": (
        ("电线杆及墙面张贴非法小广告{n}处", "公交站牌上有喷涂小广告{n}处"),
        ("小区门口墙上贴满了小广告，很难看", "电线杆上到处是办证的小广告"),
    ),
    "09005": (
        ("沿街商铺跨门经营，占用人行道约{n}米", "店家在门外摆放货架，出店经营"),
        ("店家把东西都摆到人行道上了，走路都要绕", "饭店在门口摆桌子，人行道被占了"),
    ),
    "09006": (
        ("流动摊贩占道经营，摊位{n}个", "早餐摊占用人行道经营"),
        ("路边有人摆摊卖水果，把路都占了", "晚上路边烧烤摊占道，影响通行"),
    ),
    "09001": (
        ("发现无照游商{n}处，推车叫卖", "三轮车流动售卖，无经营证照"),
        ("有人推着三轮车在路口卖东西，堵在那里", "学校门口有流动摊贩，孩子放学很挤"),
    ),
    "06036": (
        ("楼道口乱堆杂物约{n}立方米", "沿街乱堆放废旧家具{n}件"),
        ("楼下有人堆了一堆旧家具和纸板，好久没人清理", "路边堆满杂物，消防通道都被挡了"),
    ),
    "09010": (
        ("非机动车乱停放{n}辆，占用盲道", "电动自行车无序停放，影响通行"),
        ("电瓶车停得乱七八糟，盲道全被占了", "门口电动车乱停，轮椅推不过去"),
    ),
    "06012": (
        ("路面有油污、泥沙，保洁不到位", "人行道积存落叶垃圾，未按时保洁"),
        ("这段路很脏，好几天没人扫了", "路面全是泥，下雨天走路很滑"),
    ),
    "06042": (
        ("垃圾桶满溢，周边散落垃圾", "垃圾收集点满溢，未及时清运"),
        ("垃圾桶满出来了，垃圾掉了一地", "垃圾房门口堆满了，一直没人来运"),
    ),
    "06013": (
        ("人行道道板破损约{n}平方米", "机动车道路面出现坑槽，直径约{n}0厘米"),
        ("路面有个大坑，电瓶车差点摔倒", "人行道砖松了好几块，踩上去会溅水"),
    ),
    "01002": (
        ("污水井盖破损，存在安全隐患", "污水井盖移位，井口外露"),
        ("路上有个井盖坏了，晚上很危险", "井盖一直响，好像没盖稳"),
    ),
    "01003": (
        ("雨水井盖缺失，已设临时警示", "雨水箅子破损下陷"),
        ("路边的雨水井盖不见了，怕有人踩进去", "下水道盖子碎了，车子压过去咣咣响"),
    ),
    "08006": (
        ("施工工地外沙石料乱堆放约{n}立方米，未覆盖", "建筑材料占道堆放，未设围挡"),
        ("工地把沙子堆在路边，风一吹全是灰", "装修的把建材堆在楼下好多天了"),
    ),
    "06017": (
        ("绿化带内有垃圾杂物，绿地脏乱", "绿地内散落白色垃圾{n}处"),
        ("小区边上的绿化带里全是垃圾", "草坪里扔了很多塑料袋和瓶子"),
    ),
    "01037": (
        ("路灯不亮{n}盏", "路灯白天常亮，灯杆倾斜"),
        ("这条路的路灯坏了好几天，晚上黑乎乎的", "路灯一直闪，晚上走路不安全"),
    ),
    "01001": (
        ("供水井盖破损，存在安全隐患", "供水阀门井盖缺失，已设临时警示"),
        ("路边自来水井盖裂了，怕有人踩空", "人行道上的水表井盖不见了"),
    ),
    "01005": (
        ("电力井盖破损下沉约{n}厘米", "电力井盖移位，井口外露"),
        ("电力井盖翘起来了，车开过去很危险", "路口有个电力井盖松动，一直响"),
    ),
    "01007": (
        ("通信井盖破损，存在安全隐患", "通信井盖缺失，已设临时警示"),
        ("人行道上的通信井盖碎了一角", "电信的井盖不见了，下面是个洞"),
    ),
    "01013": (
        ("消火栓漏水，周边路面积水", "消火栓被撞倾斜，护栏缺失"),
        ("路边的消防栓一直在漏水", "消防栓被车撞歪了，没人来修"),
    ),
    "03005": (
        ("果壳箱破损{n}个，桶盖缺失", "垃圾箱倾倒，箱体变形"),
        ("路边的垃圾桶坏了，盖子没了", "垃圾箱被撞翻了，垃圾撒了一地"),
    ),
    "06026": (
        ("河道水面漂浮垃圾约{n}平方米", "河道出现黑臭水体，疑似排污"),
        ("河里漂着很多垃圾，味道很大", "小河的水发黑发臭，好像有人往里排污水"),
    ),
    "06027": (
        ("餐饮店油烟直排，未安装净化设施", "沿街饭店油烟扰民"),
        ("楼下饭店的油烟直接往我们窗户里冒", "烧烤店油烟很大，家里窗都不敢开"),
    ),
    "06007": (
        ("沿街晾晒衣物，影响市容", "在行道树间拉绳晾挂衣被"),
        ("有人在路边树上挂衣服晒被子，很不雅观", "沿街阳台外面挂满了衣服"),
    ),
    "07003": (
        ("户外广告牌破损，存在脱落隐患", "擅自设置落地广告牌{n}块"),
        ("有块广告牌歪了，风大怕会掉下来", "店门口放了好几块广告牌挡路"),
    ),
    "06014": (
        ("渣土车沿途遗撒，路面污染约{n}0米", "道路遗撒泥浆，未清理"),
        ("路上一路都是渣土车掉的泥，车一过全是灰", "路面撒了一地的沙石，很容易打滑"),
    ),
    "09011": (
        ("共享单车堆积{n}0余辆，占用人行道", "共享单车倒伏、乱停放"),
        ("地铁口的共享单车堆成山了，人都过不去", "共享单车倒了一地，没人来整理"),
    ),
}

#: Newspapers and forums a media report is quoted from (real local outlets, quoted only).
MEDIA = ("《杭州日报》", "《都市快报》", "《钱江晚报》", "杭州19楼网友发帖")


def _phrase(rng: np.random.Generator, phrases: tuple[str, ...]) -> str:
    text = phrases[int(rng.integers(len(phrases)))]
    return text.format(n=int(rng.integers(2, 9)))


def description(
    rng: np.random.Generator, category_code: str, category_name: str, source: str, place: str
) -> str:
    """The description a report of ``source`` carries about ``place`` (how the reporter
    names it: a road and number, a crossing or a landmark)."""
    found, complaint = PROBLEMS.get(
        category_code, ((f"发现{category_name}问题",), (f"这里有{category_name}的问题",))
    )
    if source == "supervisor":
        return f"{place}{_phrase(rng, found)}。"
    if source == "video":
        score = float(rng.uniform(0.82, 0.97))
        return f"视频智能分析识别：疑似{category_name}（置信度{score:.2f}），点位{place}，请核实。"
    if source == "leader":
        return f"区领导交办：{place}{_phrase(rng, found)}，请尽快处置并反馈。"
    if source == "media":
        outlet = MEDIA[int(rng.integers(len(MEDIA)))]
        return f"{outlet}反映：{place}{_phrase(rng, complaint)}。"
    return f"{_phrase(rng, complaint)}，在{place}，希望尽快处理。"


def hotline_description(
    rng: np.random.Generator, category_code: str, category_name: str, place: str
) -> str:
    """What the 12345 operator records from a call."""
    return "市民来电反映：" + description(rng, category_code, category_name, "public", place)

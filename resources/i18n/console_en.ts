<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name></name>
    <message>
        <location filename="../../widgets/common/i18n.py" line="75"/>
        <source>警告</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location filename="../../widgets/common/i18n.py" line="77"/>
        <source>罚款 %1 元</source>
        <translation>Fine ¥%1</translation>
    </message>
    <message>
        <location filename="../../widgets/common/i18n.py" line="79"/>
        <source>没收 %1 元</source>
        <translation>Confiscation ¥%1</translation>
    </message>
    <message>
        <location filename="../../widgets/common/i18n.py" line="80"/>
        <source>不予处罚</source>
        <translation>No penalty</translation>
    </message>
</context>
<context>
    <name>AlertDigestDialog</name>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="65"/>
        <location filename="../../widgets/panels/alert_digest.py" line="144"/>
        <source>告警日报</source>
        <extracomment>subject (type, id) → what the operator calls it (a plate, a sensor&apos;s name)</extracomment>
        <translation>Alert digest</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="69"/>
        <source>查询</source>
        <translation>Show</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="76"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="83"/>
        <location filename="../../widgets/panels/alert_digest.py" line="92"/>
        <source>类型</source>
        <translation>Kind</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="84"/>
        <source>产生</source>
        <translation>Raised</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="85"/>
        <source>确认</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="86"/>
        <source>解除</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="87"/>
        <source>升级值班长</source>
        <translation>To shift lead</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="92"/>
        <location filename="../../widgets/panels/alert_digest.py" line="93"/>
        <source>对象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="92"/>
        <source>次数</source>
        <translation>Count</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="93"/>
        <source>督办时间</source>
        <translation>Supervised at</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="106"/>
        <source>按类型</source>
        <translation>By kind</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="107"/>
        <source>每小时产生</source>
        <translation>Raised per hour</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="108"/>
        <source>告警最多的对象</source>
        <translation>Most alerting subjects</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="109"/>
        <source>督办</source>
        <translation>Supervision</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="138"/>
        <source>正在读取 %1 …</source>
        <translation>Reading %1 …</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="148"/>
        <source>告警日报读取失败：%1</source>
        <translation>Alert digest could not be read: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="158"/>
        <source>%1 产生 %2 条告警</source>
        <translation>%1: %2 alerts raised</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="161"/>
        <source>确认 %1 次，用时中位 %2 分钟、最长 %3 分钟</source>
        <translation>%1 acknowledgements, median %2 min, longest %3 min</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="165"/>
        <source>升级值班长 %1 次</source>
        <translation>%1 escalated to the shift lead</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="166"/>
        <source>督办 %1 件</source>
        <translation>%1 cases under supervision</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="167"/>
        <source>洪峰成组 %1 组（%2 条）</source>
        <translation>%1 flood groups (%2 alerts)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="171"/>
        <source>；</source>
        <translation>; </translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alert_digest.py" line="171"/>
        <source>。</source>
        <translation>.</translation>
    </message>
</context>
<context>
    <name>AlertModel</name>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="72"/>
        <source>严重度</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="73"/>
        <source>等级</source>
        <translation>Level</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="74"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="75"/>
        <source>对象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="76"/>
        <source>时长</source>
        <translation>Age</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="77"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="78"/>
        <source>升级</source>
        <translation>Escalation</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="79"/>
        <source>详情</source>
        <translation>Detail</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="123"/>
        <source>%1 项（未确认 %2）</source>
        <translation>%1 alerts (%2 unacknowledged)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="148"/>
        <source>已解除 %1</source>
        <translation>%1 resolved</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="165"/>
        <source>值班长 %1</source>
        <translation>Shift lead %1</translation>
    </message>
</context>
<context>
    <name>AlertPane</name>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="305"/>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="306"/>
        <source>定位</source>
        <translation>Locate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="307"/>
        <source>日报</source>
        <translation>Digest</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="308"/>
        <source>告警日报：当天告警的数量、确认用时和升级</source>
        <translation>The day&apos;s alerts, acknowledgement times and escalations</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="309"/>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="312"/>
        <source>静音 5 分钟</source>
        <translation>Mute 5 minutes</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="313"/>
        <source>静音 15 分钟</source>
        <translation>Mute 15 minutes</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="314"/>
        <source>静音 1 小时</source>
        <translation>Mute 1 hour</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="315"/>
        <source>取消静音</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="321"/>
        <source>未确认</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="321"/>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="321"/>
        <source>严重</source>
        <translation>Critical</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="329"/>
        <source>静音至 %1</source>
        <translation>Muted until %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="357"/>
        <source>未确认 %1</source>
        <translation>%1 open</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="370"/>
        <source>确认告警</source>
        <translation>Acknowledge alert</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="370"/>
        <source>确认说明（可选）：</source>
        <translation>Comment (optional):</translation>
    </message>
</context>
<context>
    <name>AlertsScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="509"/>
        <source>告警滚动</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="521"/>
        <source>已确认</source>
        <translation>acknowledged</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="535"/>
        <source>当前无告警</source>
        <translation>No open alerts</translation>
    </message>
</context>
<context>
    <name>ArbitrateDialog</name>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="162"/>
        <source>%1：%2 退回。%3</source>
        <translation>%1: returned by %2. %3</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="168"/>
        <source>争议</source>
        <translation>Dispute</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="171"/>
        <source>主办部门</source>
        <translation>Lead department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="173"/>
        <source>协办部门</source>
        <translation>Assisting department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="176"/>
        <source>协办任务（选了协办部门时必填）</source>
        <translation>Assist task (required with an assisting department)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="177"/>
        <source>协办任务</source>
        <translation>Assist task</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="179"/>
        <source>裁定理由（必填）</source>
        <translation>Reason for the decision (required)</translation>
    </message>
</context>
<context>
    <name>AssistDialog</name>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="102"/>
        <source>协办单位要做的事（必填）</source>
        <translation>What the assisting department is to do (required)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="103"/>
        <source>协办部门</source>
        <translation>Assisting department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="104"/>
        <source>协办任务</source>
        <translation>Assist task</translation>
    </message>
</context>
<context>
    <name>AssistTaskDialog</name>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="140"/>
        <source>协办任务</source>
        <translation>Assist task</translation>
    </message>
</context>
<context>
    <name>Basemap</name>
    <message>
        <location filename="../../widgets/map/basemap.py" line="108"/>
        <location filename="../../widgets/map/basemap.py" line="144"/>
        <location filename="../../widgets/map/basemap.py" line="161"/>
        <source>底图</source>
        <translation>Basemap</translation>
    </message>
    <message>
        <location filename="../../widgets/map/basemap.py" line="149"/>
        <source>底图“%1”不可用：%2</source>
        <translation>Basemap “%1” unavailable: %2</translation>
    </message>
    <message>
        <location filename="../../widgets/map/basemap.py" line="218"/>
        <source>底图瓦片读取失败：%1</source>
        <translation>Basemap tiles could not be read: %1</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <location filename="../../widgets/board/model.py" line="96"/>
        <source>排名</source>
        <extracomment>the sparkline&apos;s scores, the row&apos;s grade and its scale (lo, hi)</extracomment>
        <translation>Rank</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="97"/>
        <source>对象</source>
        <translation>Assessed</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="98"/>
        <source>等级</source>
        <translation>Grade</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="99"/>
        <source>综合指标值</source>
        <translation>Score</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="100"/>
        <source>较上期</source>
        <translation>Δ previous</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="101"/>
        <source>逐日走势</source>
        <translation>Daily trend</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="111"/>
        <source>越高越好</source>
        <translation>Higher is better</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="111"/>
        <source>越低越好</source>
        <translation>Lower is better</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="115"/>
        <source>公式：%1</source>
        <translation>Formula: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="116"/>
        <source>来源：%1</source>
        <translation>Source: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="166"/>
        <source>分子 %1 / 分母 %2（双击查看明细）</source>
        <translation>Numerator %1 / denominator %2 (double-click for the details)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="168"/>
        <source>分子 %1 / 分母 %2（双击查看案件）</source>
        <translation>Numerator %1 / denominator %2 (double-click for the cases)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="174"/>
        <source>上期综合指标值：%1</source>
        <translation>Previous score: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="178"/>
        <source>逐日综合指标值 %1</source>
        <translation>Daily score %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/model.py" line="181"/>
        <source>最低 %1，最高 %2</source>
        <translation>Low %1, high %2</translation>
    </message>
</context>
<context>
    <name>CallbackDialog</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="276"/>
        <source>结案于 %1，第 %2 次回访（最多 %3 次）。</source>
        <translation>Closed %1; callback attempt %2 (at most %3).</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="288"/>
        <source>无来电记录</source>
        <translation>No caller on record</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="301"/>
        <source>市民意见（可选）</source>
        <translation>Caller&apos;s comments (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="304"/>
        <source>来电</source>
        <translation>Caller</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="305"/>
        <source>满意度</source>
        <translation>Satisfaction</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="306"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>CameraCaseDialog</name>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="39"/>
        <source>视频巡查立案：%1</source>
        <translation>Video patrol case: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="40"/>
        <source>视频巡查立案（来源：视频发现）</source>
        <translation>Video patrol case (source: video)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="55"/>
        <source>摄像头位置：%1</source>
        <translation>At the camera: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="57"/>
        <source>在地图上选点</source>
        <translation>Pick on the map</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="70"/>
        <source>截图</source>
        <translation>Frame grab</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="71"/>
        <source>摄像头</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="72"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="73"/>
        <source>位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="74"/>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="75"/>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="79"/>
        <source>上报</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="92"/>
        <source>选定位置：%1, %2</source>
        <translation>Picked point: %1, %2</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/camera_case.py" line="98"/>
        <source>请选择类别</source>
        <translation>Choose a category</translation>
    </message>
</context>
<context>
    <name>CameraTools</name>
    <message>
        <location filename="../../widgets/app/camera_tools.py" line="45"/>
        <source>视频监控</source>
        <translation>Cameras</translation>
    </message>
    <message>
        <location filename="../../widgets/app/camera_tools.py" line="46"/>
        <source>摄像头</source>
        <translation>Camera</translation>
    </message>
    <message>
        <location filename="../../widgets/app/camera_tools.py" line="63"/>
        <source>视频立案需受理员或值班长角色</source>
        <translation>Filing from a camera needs the operator or shift lead role</translation>
    </message>
    <message>
        <location filename="../../widgets/app/camera_tools.py" line="82"/>
        <source>视频巡查案件已上报：%1（%2）</source>
        <translation>Video patrol case reported: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../widgets/app/camera_tools.py" line="88"/>
        <source>视频立案失败：%1</source>
        <translation>Filing from the camera failed: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/camera_tools.py" line="96"/>
        <source>视频立案</source>
        <translation>File case</translation>
    </message>
</context>
<context>
    <name>CameraView</name>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="157"/>
        <source>视频立案</source>
        <extracomment>``fetch_still(camera_id)`` → JPEG bytes (blocking: run on the workers). The operator asked to file a case from this camera: (camera doc, grab as JPEG bytes).</extracomment>
        <translation>File case</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="158"/>
        <source>以当前画面为证据，从该摄像头上报案件</source>
        <translation>Report a case from this camera with the current picture as evidence</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="159"/>
        <source>视频巡查</source>
        <translation>Video patrol</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="161"/>
        <source>按街道轮巡摄像头，每 %1 秒切换</source>
        <translation>Cycle through a street&apos;s cameras, %1 s each</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="163"/>
        <source>下一个摄像头</source>
        <translation>Next camera</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="171"/>
        <source>全部街道</source>
        <translation>All streets</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="181"/>
        <source>摄像头：在地图上放大后点击摄像头图标</source>
        <translation>Camera: zoom in on the map and click a camera</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="185"/>
        <source>球机</source>
        <translation>PTZ dome</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="185"/>
        <source>枪机</source>
        <translation>Bullet camera</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="187"/>
        <source>区城管局</source>
        <translation>District urban management</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="188"/>
        <source>公安雪亮工程</source>
        <translation>Police (Xueliang)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="189"/>
        <source>交警</source>
        <translation>Traffic police</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="210"/>
        <source>正在连接…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="218"/>
        <source>实时视频 (MJPEG)</source>
        <translation>Live video (MJPEG)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="222"/>
        <source>回放：无视频</source>
        <translation>Replay: no video</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="225"/>
        <source>快照，每 %1 秒刷新</source>
        <translation>Still, refreshed every %1 s</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="243"/>
        <source>实时视频</source>
        <translation>Live video</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="258"/>
        <source>视频流中断：%1，改为快照</source>
        <translation>Stream interrupted: %1; showing stills</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="280"/>
        <source>快照获取失败：%1</source>
        <translation>Could not fetch the still: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/camera_view.py" line="332"/>
        <source>画面尚未加载，无法截图</source>
        <translation>No picture yet: nothing to grab</translation>
    </message>
</context>
<context>
    <name>CamerasScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="825"/>
        <source>视频巡查</source>
        <translation>Video patrol</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="859"/>
        <source>回放：无视频</source>
        <translation>Replay: no video</translation>
    </message>
</context>
<context>
    <name>CaseActions</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="447"/>
        <source>此案件当前不能执行该操作</source>
        <extracomment>A 协办 department&apos;s steps on its own task: offered only while it has a task the step may take. Actions whose parameters a dialog of their own asks for.</extracomment>
        <translation>This action is not possible on this case now</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="462"/>
        <source>已提交：%1 %2</source>
        <translation>Sent: %1 %2</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="496"/>
        <source>已完成：%1</source>
        <translation>Done: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="504"/>
        <source>操作被拒绝</source>
        <translation>Action refused</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="504"/>
        <source>操作未执行</source>
        <translation>Action not taken</translation>
    </message>
</context>
<context>
    <name>CaseDetail</name>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="141"/>
        <location filename="../../widgets/panels/case_detail.py" line="344"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="142"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="143"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="144"/>
        <location filename="../../widgets/panels/case_detail.py" line="345"/>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="145"/>
        <location filename="../../widgets/panels/case_detail.py" line="347"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="146"/>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="147"/>
        <source>网格/街道/社区</source>
        <translation>Grid / street / community</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="148"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="149"/>
        <source>部件编码/权属</source>
        <translation>Component code / owner</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="150"/>
        <source>上报时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="151"/>
        <source>上报人</source>
        <translation>Reporter</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="152"/>
        <source>返工/延期/回退</source>
        <translation>Rework / extensions / returns</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="153"/>
        <source>监督员</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="154"/>
        <source>回访</source>
        <translation>Callback</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="162"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="162"/>
        <source>环节</source>
        <translation>Step</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="162"/>
        <source>人员</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="162"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="162"/>
        <source>按时</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="164"/>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="165"/>
        <source>办理过程</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="187"/>
        <source>未选择案件</source>
        <translation>No case selected</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="198"/>
        <source>正常</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="198"/>
        <source>临期</source>
        <translation>At risk</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="198"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="218"/>
        <source>延期待批 %1 小时</source>
        <translation>extension of %1 h pending</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="259"/>
        <source>任务未指定监督员（任一监督员可办理）</source>
        <translation>Task not addressed (any supervisor may answer)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="260"/>
        <source>%1 办理中</source>
        <translation>%1 handling it</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="265"/>
        <source>%1（网格责任监督员）</source>
        <translation>%1 (grid&apos;s supervisor)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="274"/>
        <source>待回访</source>
        <translation>Callback due</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="274"/>
        <source>结案后回访</source>
        <translation>Callback after closure</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="276"/>
        <source>第 %1 次</source>
        <translation>attempt %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="282"/>
        <source>申请缓办至 %1，待批</source>
        <translation>Parking requested until %1, awaiting approval</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="286"/>
        <location filename="../../widgets/panels/case_detail.py" line="360"/>
        <source>缓办至 %1</source>
        <translation>Parked until %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="289"/>
        <source>已逾期</source>
        <translation>overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="298"/>
        <source>超时 %1</source>
        <translation>%1 over</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="299"/>
        <location filename="../../widgets/panels/case_detail.py" line="365"/>
        <source>剩余 %1</source>
        <translation>%1 left</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="331"/>
        <source>派给 %1</source>
        <translation>to %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="334"/>
        <source>接管自 %1</source>
        <translation>taken over from %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="346"/>
        <source>位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="358"/>
        <source>%1 小时</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="368"/>
        <source>更正：</source>
        <translation>Corrected: </translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="376"/>
        <source>协办 %1：%2</source>
        <translation>Assist %1: %2</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="383"/>
        <source>转值班长裁定（%1）</source>
        <translation>To the shift lead&apos;s arbitration (%1)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="389"/>
        <source>争议未获支持：%1</source>
        <translation>Dispute lost: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="404"/>
        <source>无照片</source>
        <translation>No photos</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="421"/>
        <location filename="../../widgets/panels/case_detail.py" line="424"/>
        <source>无法加载</source>
        <translation>Cannot load</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="124"/>
        <source>编号</source>
        <translation>Case id</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="125"/>
        <source>剩余时限</source>
        <translation>Time left</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="126"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="127"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="128"/>
        <source>网格</source>
        <translation>Grid cell</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="129"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="130"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="131"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="132"/>
        <source>已用时</source>
        <translation>Age</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="217"/>
        <source>延期待批</source>
        <translation>extension pending</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="219"/>
        <source>缓办待批</source>
        <translation>Parking awaiting approval</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="233"/>
        <source>缓办逾期 %1 天</source>
        <translation>Parking overdue by %1 days</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="234"/>
        <source>缓办至 %1</source>
        <translation>Parked until %1</translation>
    </message>
</context>
<context>
    <name>CategoryPicker</name>
    <message>
        <location filename="../../widgets/dialogs/pickers.py" line="31"/>
        <source>输入编码或名称，如 06010 或 垃圾</source>
        <translation>Type a code or name, e.g. 06010 or 垃圾</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="526"/>
        <source>案件已被他人更新</source>
        <translation>The case was changed by someone else</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="529"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="530"/>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="531"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="532"/>
        <source>延期申请</source>
        <translation>Extension request</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="533"/>
        <source>缓办申请</source>
        <translation>Parking request</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="549"/>
        <source>你操作时看到的是第 %1 版，现在是第 %2 版：</source>
        <translation>You decided on version %1; the case is now at version %2:</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="557"/>
        <source>按最新版本重试：%1</source>
        <translation>Retry on the current version: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="561"/>
        <source>放弃</source>
        <translation>Discard</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="567"/>
        <source>该操作在最新状态下已不可执行。</source>
        <translation>The action is no longer possible on the current version.</translation>
    </message>
</context>
<context>
    <name>ConsoleStatusBar</name>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="57"/>
        <source>已连接</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="58"/>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="59"/>
        <source>服务异常</source>
        <translation>Backend error</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="60"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="61"/>
        <source>已停止</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="62"/>
        <source>回放</source>
        <translation>Replay</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="69"/>
        <source>延迟</source>
        <translation>lag</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="69"/>
        <source>隔离</source>
        <translation>quarantined</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="75"/>
        <source>待发送 %1</source>
        <translation>Outbox %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="81"/>
        <source>工作时间</source>
        <translation>Working time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="81"/>
        <source>非工作时间</source>
        <translation>Off hours</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="91"/>
        <source>⚠ 缺少%1年节假日安排</source>
        <translation>⚠ No %1 holiday schedule</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="93"/>
        <source>工作日历未包含%1年国务院节假日安排，该年工作日暂按周一至周五计算</source>
        <translation>The work calendar has no State Council holiday schedule for %1; working days that year are counted Monday–Friday</translation>
    </message>
</context>
<context>
    <name>CoopView</name>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="45"/>
        <source>部门协作</source>
        <translation>Departments working together</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="47"/>
        <source>角色</source>
        <translation>Role</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="47"/>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="47"/>
        <source>任务</source>
        <translation>Task</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="47"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="47"/>
        <source>时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="69"/>
        <source>主办</source>
        <translation>Lead</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="71"/>
        <source>处置并反馈结果</source>
        <translation>Handle and report the result</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="83"/>
        <source>协办</source>
        <translation>Assist</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="110"/>
        <source>争议（%1）：%2 退回</source>
        <translation>Dispute (%1): returned by %2</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="115"/>
        <source>待值班长裁定</source>
        <translation>Waiting for the shift lead&apos;s decision</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="120"/>
        <source>%1 裁定（%2）：主办 %3</source>
        <translation>%1 decided (%2): lead %3</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="126"/>
        <source>，协办 %1</source>
        <translation>, assisted by %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/coop_view.py" line="128"/>
        <source>理由：%1</source>
        <translation>Reason: %1</translation>
    </message>
</context>
<context>
    <name>CorrectionFields</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="131"/>
        <source>位置更正后，未修改的地址将按新位置自动生成</source>
        <extracomment>Keyboard shortcuts of the queue and detail actions (one key, as the desk works fast). The actions a centre desk takes, in menu order (department/supervisor actions are theirs, but for a 协办 department&apos;s own task steps, which a department user of the console takes). Desk entries that take a workflow action with the 受理/立案 corrections dialog (category, urgency, location, address); the plain key takes the action as reported, without a dialog. A centre-set 缓办 due date defaults to this many days ahead (the operator changes it).</extracomment>
        <translation>After a location correction, an unchanged address is replaced by the new location&apos;s address</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="134"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="135"/>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="136"/>
        <source>位置（经度，纬度）</source>
        <translation>Location (longitude, latitude)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="137"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
</context>
<context>
    <name>DrillDialog</name>
    <message>
        <location filename="../../widgets/board/drill.py" line="45"/>
        <source>分子案件 (%1)</source>
        <translation>Numerator cases (%1)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="49"/>
        <source>分母案件 (%1，其中 %2 件未计入分子 ✗)</source>
        <translation>Denominator cases (%1, %2 not in the numerator ✗)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="72"/>
        <source>双击案件编号在案件详情中打开</source>
        <translation>Double-click a case to open it in case detail</translation>
    </message>
</context>
<context>
    <name>DutyModel</name>
    <message>
        <location filename="../../widgets/panels/duty.py" line="52"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="53"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="54"/>
        <source>在岗率</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="55"/>
        <source>覆盖率</source>
        <translation>Coverage</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="56"/>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="61"/>
        <source>在岗</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="62"/>
        <source>离岗</source>
        <translation>Off grid</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="63"/>
        <source>失联</source>
        <translation>No position</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/duty.py" line="64"/>
        <location filename="../../widgets/panels/duty.py" line="65"/>
        <source>休息</source>
        <translation>Off shift</translation>
    </message>
</context>
<context>
    <name>DutyPanel</name>
    <message>
        <location filename="../../widgets/panels/duty.py" line="181"/>
        <source>在岗 %1/%2 · 离岗 %3 · 失联 %4 · 今日在岗率 %5</source>
        <translation>On duty %1/%2 · off grid %3 · no position %4 · on-duty rate today %5</translation>
    </message>
</context>
<context>
    <name>EnforcementPanel</name>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="189"/>
        <source>案件号</source>
        <translation>Case no.</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="190"/>
        <source>程序</source>
        <translation>Procedure</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="191"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="192"/>
        <source>当事人</source>
        <translation>Party</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="193"/>
        <source>事项</source>
        <translation>Matter</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="194"/>
        <source>期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="195"/>
        <source>剩余</source>
        <translation>Left</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="230"/>
        <source>%1 天</source>
        <translation>%1 d</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="270"/>
        <source>执法案件</source>
        <translation>Enforcement case</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="307"/>
        <source>（已脱敏）</source>
        <translation>(masked)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="312"/>
        <source>单位</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="312"/>
        <source>个人</source>
        <translation>Person</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="329"/>
        <source>陈述申辩/听证期</source>
        <translation>Statement/hearing period</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="330"/>
        <source>当事人已放弃</source>
        <translation>waived by the party</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="335"/>
        <source>逾期办理</source>
        <translation>done late</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="335"/>
        <source>按期办理</source>
        <translation>done in time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="339"/>
        <source>已超期</source>
        <translation>missed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="363"/>
        <source>%1 张照片</source>
        <translation>%1 photos</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="411"/>
        <source>执法步骤</source>
        <translation>Enforcement step</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="418"/>
        <source>已办理：%1</source>
        <translation>Done: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="422"/>
        <source>执法步骤未办理：%1</source>
        <translation>Step not taken: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="427"/>
        <source>待立案审批</source>
        <translation>Awaiting filing approval</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="428"/>
        <source>调查取证</source>
        <translation>Investigation</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="429"/>
        <source>告知(陈述申辩/听证期)</source>
        <translation>Notified (statement/hearing period)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="430"/>
        <source>已决定待执行</source>
        <translation>Decided, to execute</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="431"/>
        <source>执行完毕</source>
        <translation>Executed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="432"/>
        <source>结案</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="433"/>
        <source>不予立案</source>
        <translation>Not filed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="438"/>
        <source>简易程序</source>
        <translation>Summary procedure</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="438"/>
        <source>一般程序</source>
        <translation>General procedure</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="442"/>
        <source>立案</source>
        <translation>Filing</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="443"/>
        <source>处罚决定</source>
        <translation>Penalty decision</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="444"/>
        <source>送达</source>
        <translation>Delivery</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="445"/>
        <source>缴款</source>
        <translation>Payment</translation>
    </message>
</context>
<context>
    <name>EnforcementSteps</name>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="71"/>
        <source>立案申请</source>
        <extracomment>Steps whose dialog asks for a penalty and its legal basis. The step whose time each clock is kept against (``at`` of the case). Days left under which the clock shows yellow (red once passed).</extracomment>
        <translation>Filing request</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="72"/>
        <source>立案审批</source>
        <translation>Approve filing</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="73"/>
        <source>不予立案</source>
        <translation>Not filed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="74"/>
        <source>调查取证</source>
        <translation>Investigation</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="75"/>
        <source>处罚告知</source>
        <translation>Notify penalty</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="76"/>
        <source>陈述申辩</source>
        <translation>Party&apos;s statement</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="77"/>
        <source>听证申请</source>
        <translation>Hearing requested</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="78"/>
        <source>举行听证</source>
        <translation>Hold hearing</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="79"/>
        <source>处罚决定</source>
        <translation>Penalty decision</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="80"/>
        <source>不予处罚</source>
        <translation>No penalty</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="81"/>
        <source>当场处罚</source>
        <translation>On-the-spot penalty</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="82"/>
        <source>送达决定书</source>
        <translation>Deliver decision</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="83"/>
        <source>执行</source>
        <translation>Execute</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="84"/>
        <source>结案</source>
        <translation>Closed</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="82"/>
        <source>车辆</source>
        <translation>Vehicle</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="91"/>
        <source>开始（北京时间）</source>
        <translation>From (Beijing time)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="92"/>
        <source>结束（北京时间）</source>
        <translation>To (Beijing time)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="97"/>
        <source>格式</source>
        <translation>Format</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="101"/>
        <source>选择文件</source>
        <translation>Choose file</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="106"/>
        <source>文件</source>
        <translation>File</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="113"/>
        <source>导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="127"/>
        <source>导出到</source>
        <translation>Export to</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="153"/>
        <source>请选择文件</source>
        <translation>Choose a file</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="155"/>
        <source>文件须以 %1 结尾</source>
        <translation>The file must end in %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="157"/>
        <source>请选择车辆</source>
        <translation>Choose a vehicle</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/export_dialog.py" line="159"/>
        <source>结束须晚于开始</source>
        <translation>The end must be later than the start</translation>
    </message>
</context>
<context>
    <name>ExportTools</name>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="91"/>
        <source>车辆轨迹…</source>
        <translation>Vehicle track…</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="92"/>
        <source>当前队列…</source>
        <translation>Current queue…</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="93"/>
        <source>案件…</source>
        <translation>Cases…</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="135"/>
        <source>正在导出：%1</source>
        <translation>Exporting: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="143"/>
        <location filename="../../widgets/app/export_tools.py" line="168"/>
        <source>导出车辆轨迹</source>
        <translation>Export vehicle track</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="168"/>
        <source>车辆轨迹已导出（%1 个定位点）：%2</source>
        <translation>Vehicle track exported (%1 fixes): %2</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="172"/>
        <location filename="../../widgets/app/export_tools.py" line="185"/>
        <source>导出当前队列</source>
        <translation>Export current queue</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="179"/>
        <source>上报时间（北京时间）</source>
        <translation>Reported (Beijing time)</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="186"/>
        <source>当前队列已导出（%1 件）：%2</source>
        <translation>Current queue exported (%1 cases): %2</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="192"/>
        <location filename="../../widgets/app/export_tools.py" line="213"/>
        <source>导出案件</source>
        <translation>Export cases</translation>
    </message>
    <message>
        <location filename="../../widgets/app/export_tools.py" line="213"/>
        <source>案件已导出（%1 件）：%2</source>
        <translation>Cases exported (%1 cases): %2</translation>
    </message>
</context>
<context>
    <name>FleetScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="462"/>
        <source>车辆作业</source>
        <translation>Vehicles working</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="470"/>
        <source>近1小时网格覆盖率（%1/%2 个单元网格）</source>
        <translation>Grid coverage, last hour (%1/%2 cells)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/wall/scenes.py" line="481"/>
        <source>车辆异常 %n 起</source>
        <translation>
            <numerusform>%n vehicle incident</numerusform>
            <numerusform>%n vehicle incidents</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="493"/>
        <source>无</source>
        <translation>None</translation>
    </message>
</context>
<context>
    <name>FlowScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="362"/>
        <source>今日案件流转</source>
        <translation>Today&apos;s case flow</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="366"/>
        <source>上报</source>
        <translation>Reported</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="367"/>
        <source>立案</source>
        <translation>Registered</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="368"/>
        <source>派遣</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="369"/>
        <source>处置</source>
        <translation>Handled</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="370"/>
        <source>核查</source>
        <translation>Checked</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="371"/>
        <source>结案</source>
        <translation>Closed</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/wall/scenes.py" line="381"/>
        <source>待办 %n</source>
        <translation>
            <numerusform>Waiting %n</numerusform>
            <numerusform>Waiting %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/wall/scenes.py" line="382"/>
        <source>超期 %n</source>
        <translation>
            <numerusform>Overdue %n</numerusform>
            <numerusform>Overdue %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="383"/>
        <source>卡在哪里（在办案件所处环节）</source>
        <translation>Where open cases wait</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="395"/>
        <source>催办：各环节最紧迫的在办案件</source>
        <translation>Chase: the most urgent open cases at each stage</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="403"/>
        <source>无在办案件</source>
        <translation>No open cases</translation>
    </message>
    <message numerus="yes">
        <location filename="../../widgets/wall/scenes.py" line="405"/>
        <source>挂账/缓办 %n 件（不计入流转）</source>
        <translation>
            <numerusform>%n parked (not in the flow)</numerusform>
            <numerusform>%n parked (not in the flow)</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="414"/>
        <source>已等 %1</source>
        <translation>waited %1</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="417"/>
        <source>超期 %1</source>
        <translation>overdue %1</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="419"/>
        <source>剩 %1</source>
        <translation>%1 left</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="429"/>
        <source>%1分</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="431"/>
        <source>%1小时%2分</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="432"/>
        <source>%1小时</source>
        <translation>%1 h</translation>
    </message>
</context>
<context>
    <name>FocusScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="694"/>
        <source>大屏聚焦</source>
        <translation>On the wall</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="744"/>
        <location filename="../../widgets/wall/scenes.py" line="758"/>
        <location filename="../../widgets/wall/scenes.py" line="775"/>
        <location filename="../../widgets/wall/scenes.py" line="782"/>
        <location filename="../../widgets/wall/scenes.py" line="790"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="744"/>
        <source>本屏未持有该案件</source>
        <translation>Case not held by this wall</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="757"/>
        <source>案件</source>
        <translation>Case</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="759"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="760"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="761"/>
        <source>上报</source>
        <translation>Reported</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="762"/>
        <source>时限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="763"/>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="774"/>
        <source>车型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="776"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="782"/>
        <source>告警已解除</source>
        <translation>Alert resolved</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="787"/>
        <source>级别</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="788"/>
        <source>对象</source>
        <translation>Assessed</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="789"/>
        <source>发生</source>
        <translation>Raised</translation>
    </message>
</context>
<context>
    <name>HotspotsScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="580"/>
        <source>高发热点 · 今日</source>
        <translation>Hotspots · today</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="587"/>
        <source>案件密度&#x3000;低</source>
        <translation>Case density  low</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="587"/>
        <source>高</source>
        <translation>high</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="593"/>
        <source>高发问题</source>
        <translation>Top matters</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="594"/>
        <source>高发网格</source>
        <translation>Top grids</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="595"/>
        <source>今日暂无案件</source>
        <translation>No cases today yet</translation>
    </message>
</context>
<context>
    <name>ItemsDialog</name>
    <message>
        <location filename="../../widgets/board/drill.py" line="92"/>
        <source>人员日明细 (%1，其中 %2 项未满 ✗)</source>
        <translation>Person-days (%1, %2 short of full ✗)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="94"/>
        <source>河段日明细 (%1，其中 %2 项未达巡查标准 ✗)</source>
        <translation>Segment-days (%1, %2 not patrolled to the standard ✗)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="98"/>
        <source>对象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="98"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="98"/>
        <source>计入 / 应计</source>
        <translation>Counted / due</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="133"/>
        <source>双击一行：在人员在岗面板与地图上显示此人</source>
        <translation>Double-click a row: show the person in the On duty panel and on the map</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="135"/>
        <source>双击一行：在河道面板与地图上显示此河段</source>
        <translation>Double-click a row: show the segment in the Rivers panel and on the map</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="141"/>
        <source> 分钟</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="141"/>
        <source> 网格</source>
        <translation> cells</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="146"/>
        <source>当日覆盖</source>
        <translation>Day coverage</translation>
    </message>
    <message>
        <location filename="../../widgets/board/drill.py" line="146"/>
        <source>比率</source>
        <translation>Rate</translation>
    </message>
</context>
<context>
    <name>KpiBoard</name>
    <message>
        <location filename="../../widgets/board/board.py" line="171"/>
        <source>今日</source>
        <extracomment>A drill-down&apos;s person or river segment: (ITEM_GROUPS kind, id).</extracomment>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="171"/>
        <source>本周</source>
        <translation>This week</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="172"/>
        <source>本月</source>
        <translation>This month</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="172"/>
        <source>自定义</source>
        <translation>Custom</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="174"/>
        <source>专业部门</source>
        <translation>Departments</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="175"/>
        <source>街道</source>
        <translation>Streets</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="176"/>
        <source>社区</source>
        <translation>Communities</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="177"/>
        <source>网格</source>
        <translation>Grids</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="178"/>
        <source>监督员</source>
        <translation>Supervisors</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="179"/>
        <source>受理员</source>
        <translation>Operators</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="180"/>
        <source>派遣员</source>
        <translation>Dispatchers</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="181"/>
        <source>值班长</source>
        <translation>Shift leads</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="182"/>
        <source>人员在岗（街道）</source>
        <translation>On duty (streets)</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="183"/>
        <source>河段</source>
        <translation>River segments</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="189"/>
        <source>时段</source>
        <translation>Period</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="190"/>
        <source>考核对象</source>
        <translation>Assessed</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="191"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="192"/>
        <source>导出月度考核报告…</source>
        <translation>Export monthly report…</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="193"/>
        <location filename="../../widgets/board/board.py" line="290"/>
        <source>双击指标单元格，查看计入分子与分母的案件</source>
        <translation>Double-click an indicator cell to see the cases in its numerator and denominator</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="236"/>
        <source>加载中…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="242"/>
        <source>考核看板</source>
        <translation>KPI board</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="254"/>
        <source>共 %1 个 · </source>
        <translation>%1 in all · </translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="266"/>
        <source>考核数据读取失败：%1</source>
        <translation>Could not read the KPIs: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="278"/>
        <source>考核时段 %1</source>
        <translation>Period %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="280"/>
        <source>对比上期 %1</source>
        <translation>Compared with %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="300"/>
        <source>无法列出明细：%1</source>
        <translation>Cannot list the details: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="302"/>
        <source>考核明细</source>
        <translation>KPI details</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="317"/>
        <source>无法列出案件：%1</source>
        <translation>Cannot list the cases: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="318"/>
        <source>考核案件</source>
        <translation>KPI cases</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="343"/>
        <source>导出月度考核报告</source>
        <translation>Export monthly report</translation>
    </message>
    <message>
        <location filename="../../widgets/board/board.py" line="345"/>
        <source>PDF (*.pdf);;Excel (*.xlsx)</source>
        <translation>PDF (*.pdf);;Excel (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>KpiTools</name>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="56"/>
        <source>回放：考核指标由班次记录中的案件计算（仅含本台当时持有的案件）</source>
        <translation>Replay: KPIs computed from the shift log&apos;s cases (only those this console held)</translation>
    </message>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="60"/>
        <source>量化考核看板</source>
        <translation>KPI board</translation>
    </message>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="79"/>
        <source>案件 %1 不在本台当前数据中</source>
        <translation>Case %1 is not held by this console</translation>
    </message>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="92"/>
        <source>历史案件</source>
        <translation>Archived case</translation>
    </message>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="119"/>
        <source>月度考核报告已导出：%1</source>
        <translation>Monthly KPI report written: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="123"/>
        <source>回放无法计算，未列入报告：%1</source>
        <translation>Not computable in a replay, left out of the report: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/kpi_tools.py" line="133"/>
        <source>月度考核报告</source>
        <translation>Monthly KPI report</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="25"/>
        <source>登录 智慧城管指挥中心</source>
        <translation>Log in to the command centre</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="34"/>
        <source>服务地址</source>
        <translation>Backend URL</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="35"/>
        <source>用户名</source>
        <translation>User name</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="36"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="40"/>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="57"/>
        <source>用户名或密码错误</source>
        <translation>Wrong user name or password</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/login.py" line="61"/>
        <source>无法连接服务：%1</source>
        <translation>Cannot reach the backend: %1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../widgets/app/main_window.py" line="422"/>
        <source>智慧城管指挥中心 · %1</source>
        <translation>Smart City Command Centre · %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="425"/>
        <source>案件队列</source>
        <translation>Case queues</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="426"/>
        <source>案件详情</source>
        <translation>Case detail</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="427"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="428"/>
        <source>环卫车辆</source>
        <translation>Sanitation fleet</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="433"/>
        <source>时间轴</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="440"/>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="441"/>
        <source>案件(&amp;C)</source>
        <translation>&amp;Case</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="442"/>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="443"/>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="444"/>
        <source>图层</source>
        <translation>Layers</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="445"/>
        <source>导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="448"/>
        <source>面板</source>
        <translation>Panels</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="449"/>
        <source>底图</source>
        <translation>Basemap</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="388"/>
        <source>不透明度</source>
        <extracomment>Default heights of the bottom docks: the strip keeps its lanes readable, and the queue gets the rest so a desk sees about ten cases at 1080p without scrolling. The left (fleet, people, rivers, enforcement) and right (detail, 部件与养护, cameras; alerts) columns&apos; widths at a first start: the tables&apos; columns fit, the map keeps the middle. The map&apos;s layers of a layout saved before layouts saved the list of layers they knew.</extracomment>
        <translation>Opacity</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="389"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="429"/>
        <source>人员在岗</source>
        <translation>People on duty</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="430"/>
        <source>河道</source>
        <translation>Rivers</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="431"/>
        <source>部件与养护</source>
        <translation>Components &amp; maintenance</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="432"/>
        <source>行政执法</source>
        <translation>Enforcement</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="451"/>
        <source>主题</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="452"/>
        <source>语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="453"/>
        <source>深色（大屏）</source>
        <translation>Dark (video wall)</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="454"/>
        <source>浅色</source>
        <translation>Light</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="455"/>
        <source>新建热线案件</source>
        <translation>New hotline case</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="456"/>
        <source>添加书签</source>
        <translation>Add bookmark</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="457"/>
        <source>交接班报告</source>
        <translation>Handover report</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="458"/>
        <source>导出时间段</source>
        <translation>Export time range</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="459"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="460"/>
        <source>适应辖区</source>
        <translation>Fit district</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="461"/>
        <source>量化考核看板</source>
        <translation>KPI board</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="462"/>
        <source>恢复默认布局</source>
        <translation>Reset layout</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="463"/>
        <location filename="../../widgets/app/main_window.py" line="638"/>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="528"/>
        <source>热线案件已立：%1</source>
        <translation>Hotline case created: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="531"/>
        <source>热线案件上报失败：%1</source>
        <translation>Hotline case not created: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="535"/>
        <source>告警确认失败：%1</source>
        <translation>Alert acknowledgement failed: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="555"/>
        <source>历史案件 %1：已不在实时数据中，由后端调阅</source>
        <translation>Archived case %1: no longer in the live picture, read from the backend</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="616"/>
        <source>显示 %1</source>
        <translation>showing %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="619"/>
        <source>回看 %1 · 实时记录继续</source>
        <translation>Rewound to %1 · live recording continues</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="639"/>
        <source>智慧城管指挥中心操作台
案件闭环、环卫车辆、告警与交接班记录。</source>
        <translation>Smart city management command console
Closed-loop cases, sanitation fleet, alerts and shift logs.</translation>
    </message>
</context>
<context>
    <name>MapWall</name>
    <message>
        <location filename="../../widgets/map/wall.py" line="295"/>
        <source>相邻城区</source>
        <translation>Neighbouring districts</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="296"/>
        <source>辖区边界</source>
        <translation>District boundary</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="297"/>
        <source>单元网格</source>
        <translation>Unit grid</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="298"/>
        <location filename="../../widgets/map/wall.py" line="344"/>
        <source>河道</source>
        <translation>Rivers</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="299"/>
        <source>案件热力图</source>
        <translation>Case heatmap</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="300"/>
        <source>车辆轨迹</source>
        <translation>Vehicle trails</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="301"/>
        <source>部件（放大后显示）</source>
        <translation>Components (zoomed in)</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="302"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="303"/>
        <location filename="../../widgets/map/wall.py" line="313"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="304"/>
        <source>人员</source>
        <translation>People</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="305"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="312"/>
        <location filename="../../widgets/map/wall.py" line="950"/>
        <location filename="../../widgets/map/wall.py" line="998"/>
        <source>正常</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="312"/>
        <location filename="../../widgets/map/wall.py" line="950"/>
        <source>临期</source>
        <translation>At risk</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="312"/>
        <location filename="../../widgets/map/wall.py" line="950"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="313"/>
        <location filename="../../widgets/map/wall.py" line="1005"/>
        <source>部件</source>
        <translation>Component</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="313"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="314"/>
        <source>作业</source>
        <translation>Working</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="314"/>
        <source>行驶</source>
        <translation>Driving</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="315"/>
        <source>停驶</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="315"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="328"/>
        <source>在岗</source>
        <translation>On duty</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="329"/>
        <source>离岗</source>
        <translation>Off grid</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="330"/>
        <source>失联</source>
        <translation>No position</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="331"/>
        <source>休息</source>
        <translation>Off shift</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="336"/>
        <source>部件状态</source>
        <translation>Components</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="337"/>
        <source>正常</source>
        <comment>a component&apos;s state</comment>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="952"/>
        <source>{0} 件案件 · 点击放大</source>
        <translation>{0} cases · click to zoom in</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="982"/>
        <source>河长 {0}（区级）{1}（街道级）</source>
        <translation>River chiefs {0} (district), {1} (street)</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="336"/>
        <location filename="../../widgets/map/wall.py" line="999"/>
        <source>损坏</source>
        <translation>Damaged</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="986"/>
        <source>今日覆盖 {0:.0%}</source>
        <translation>Covered today {0:.0%}</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="1000"/>
        <source>缺失</source>
        <translation>Missing</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="1001"/>
        <source>停用</source>
        <translation>Out of service</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="336"/>
        <location filename="../../widgets/map/wall.py" line="1002"/>
        <source>维修中</source>
        <translation>Under repair</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="64"/>
        <source>新建热线案件 (12345)</source>
        <extracomment>``geocode(**params)``: GET /api/v1/geocode with ``q``/``limit`` or ``lon``/``lat`` (blocking). Wait this long after the last keystroke before asking (a person types 3–5 characters a second; one request per pause, not per character).</extracomment>
        <translation>New hotline case (12345)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="67"/>
        <source>道路门牌、路口、地标或社区，如 解放路128号</source>
        <translation>Road and number, crossing, landmark or community, e.g. 解放路128号</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="76"/>
        <source>按地址定位</source>
        <translation>Find address</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="78"/>
        <source>在地图上选点</source>
        <translation>Pick on map</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="80"/>
        <source>未定位</source>
        <translation>No location</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="85"/>
        <source>来电号码（可选）</source>
        <translation>Caller&apos;s number (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="96"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="97"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="99"/>
        <source>位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="100"/>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="101"/>
        <source>来电</source>
        <translation>Caller</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="102"/>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="106"/>
        <source>上报</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="133"/>
        <source>正在查找…</source>
        <translation>Searching…</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="138"/>
        <source>未连接后台，无法查询地址，请在地图上选点</source>
        <translation>No backend connection: addresses cannot be looked up; pick the place on the map</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="149"/>
        <source>地址查询失败：%1</source>
        <translation>Address lookup failed: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="152"/>
        <source>地址查询</source>
        <translation>Address lookup</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="163"/>
        <source>找到 %1 个地点，请选择</source>
        <translation>%1 places found; pick one</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="165"/>
        <source>找不到该地址，请换个说法或在地图上选点</source>
        <translation>Address not found; try other words or pick the place on the map</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="194"/>
        <source>12345 来电 %1</source>
        <translation>12345 call %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="181"/>
        <source>请选择类别</source>
        <translation>Choose a category</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="184"/>
        <source>请定位案件位置</source>
        <translation>Locate the case first</translation>
    </message>
</context>
<context>
    <name>OverviewScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="169"/>
        <source>城区态势</source>
        <translation>District overview</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="175"/>
        <source>今日上报</source>
        <translation>Reported today</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="176"/>
        <source>今日立案</source>
        <translation>Registered today</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="177"/>
        <source>今日结案</source>
        <translation>Closed today</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="178"/>
        <source>超期在办</source>
        <translation>Overdue open</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="179"/>
        <source>车辆作业</source>
        <translation>Vehicles working</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="180"/>
        <source>车辆空闲</source>
        <translation>Vehicles idle</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="181"/>
        <source>车辆离线</source>
        <translation>Vehicles offline</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="182"/>
        <source>在办案件</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="199"/>
        <source>正常</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="200"/>
        <source>临期</source>
        <translation>Due soon</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="201"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="202"/>
        <source>不计时</source>
        <translation>No clock</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="204"/>
        <source>部件</source>
        <translation>Component</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="204"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
</context>
<context>
    <name>ParamsDialog</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="193"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="198"/>
        <source>派遣依据</source>
        <translation>Dispatch basis</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="201"/>
        <source>申请延期</source>
        <translation>Extension requested</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="201"/>
        <source>%1 小时</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="210"/>
        <source>申请缓办至</source>
        <translation>Parking requested until</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="216"/>
        <source>缓办到期日</source>
        <translation>Parking due date</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="222"/>
        <source>原因（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="222"/>
        <source>备注（可选）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="225"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="232"/>
        <source>无派遣规则，请选择处置部门</source>
        <translation>No routing rule; choose the department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="234"/>
        <source>部件权属单位（部件 %1）</source>
        <translation>Owner of component %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="237"/>
        <source>事项派遣规则：%1</source>
        <translation>Matter routing rule: %1</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <location filename="../../widgets/panels/queues.py" line="96"/>
        <source>搜索 编号/地址/描述/类别</source>
        <translation>Search id / address / text / category</translation>
    </message>
</context>
<context>
    <name>RankingScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="222"/>
        <source>部门排名</source>
        <translation>Departments</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="223"/>
        <source>街道排名</source>
        <translation>Streets</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="231"/>
        <source>量化考核 · 今日</source>
        <translation>Performance · today</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="238"/>
        <source>回放中不显示考核：考核由后端按考核期计算，请在考核窗口查看</source>
        <translation>Not shown in a replay: the backend computes performance per period; see the KPI board</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="250"/>
        <source>考核排名</source>
        <translation>Performance ranking</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="264"/>
        <source>考核数据暂不可用，稍后重试</source>
        <translation>Performance data unavailable, retrying</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="292"/>
        <source>今日暂无考核数据</source>
        <translation>No performance data today yet</translation>
    </message>
</context>
<context>
    <name>ReplayApp</name>
    <message>
        <location filename="../../widgets/app/replay_app.py" line="37"/>
        <source>回放</source>
        <translation>REPLAY</translation>
    </message>
</context>
<context>
    <name>ReplayController</name>
    <message>
        <location filename="../../widgets/timeline/controller.py" line="116"/>
        <source>读取时间轴索引</source>
        <translation>Reading the timeline index</translation>
    </message>
</context>
<context>
    <name>RiverPanel</name>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="92"/>
        <location filename="../../widgets/panels/rivers.py" line="102"/>
        <location filename="../../widgets/panels/rivers.py" line="103"/>
        <source>河段</source>
        <translation>Segment</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="93"/>
        <source>区级河长</source>
        <translation>District river chief</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="94"/>
        <source>街道级河长</source>
        <translation>Street river chief</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="95"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="96"/>
        <source>今日覆盖</source>
        <translation>Covered today</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="97"/>
        <source>上次巡查</source>
        <translation>Last patrol</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="98"/>
        <source>传感器</source>
        <translation>Sensors</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="99"/>
        <source>在办案件</source>
        <translation>Open cases</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="102"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="102"/>
        <source>覆盖率</source>
        <translation>Coverage</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="104"/>
        <source>覆盖率明细</source>
        <translation>Coverage by day</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="192"/>
        <source>河道巡查覆盖率（近{0}日）：{1}（{2}/{3} 河段·日）</source>
        <translation>River patrol coverage (last {0} days): {1} ({2}/{3} segment-days)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="222"/>
        <source>选择一个河段查看详情</source>
        <translation>Select a segment to see its details</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="226"/>
        <source>河长：{0}（区级）、{1}（街道级）</source>
        <translation>River chiefs: {0} (district), {1} (street)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="234"/>
        <source>传感器 {0}：{1}</source>
        <translation>Sensor {0}: {1}</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/rivers.py" line="237"/>
        <source>在办案件 {0}：{1}</source>
        <translation>Open case {0}: {1}</translation>
    </message>
</context>
<context>
    <name>RiverStates</name>
    <message>
        <location filename="../../widgets/common/river_states.py" line="22"/>
        <source>今日已巡</source>
        <extracomment>Patrol state → colour: water blue when patrolled today, teal while a patrol is under way, amber when today&apos;s is still to come, red when the required interval has passed.</extracomment>
        <translation>Patrolled today</translation>
    </message>
    <message>
        <location filename="../../widgets/common/river_states.py" line="23"/>
        <source>巡查中</source>
        <translation>Patrol under way</translation>
    </message>
    <message>
        <location filename="../../widgets/common/river_states.py" line="24"/>
        <source>今日待巡</source>
        <translation>Due today</translation>
    </message>
    <message>
        <location filename="../../widgets/common/river_states.py" line="25"/>
        <source>超期未巡</source>
        <translation>Overdue</translation>
    </message>
</context>
<context>
    <name>Scene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="94"/>
        <source>回放</source>
        <extracomment>The ranking board asks the backend again after this long: 考核 moves with closed work, minutes apart, and a wall must not load the backend like a desk does. The two indicators a ranking row shows beside its score: what a department is assessed on first (on time, then at all), and a street&apos;s closure (at all, then on time). The hotspots legend: the heatmap&apos;s colours from sparse to dense (matplotlib&apos;s inferno from 0.15 to 1, as ``widgets.map.layers.heat_image`` draws them). The flow scene&apos;s &quot;催办&quot; list: cases shown per stage, and where its columns start (案件号, 问题, 街道 · 社区, 超期). The cameras scene: six pictures a page, the next page this often, over the cameras that watch the most open cases (three pages: the wall shows where work is, not every camera). The 阳光执法 scene asks the public feed again after this long (decisions come minutes apart), and shows at most this many.</extracomment>
        <translation>Replay</translation>
    </message>
</context>
<context>
    <name>ShiftTools</name>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="52"/>
        <source>添加书签</source>
        <translation>Add bookmark</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="53"/>
        <source>备注（显示在时间轴和交接班报告中）：</source>
        <translation>Note (shown on the timeline and in the handover report):</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="57"/>
        <source>书签</source>
        <translation>Bookmark</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="66"/>
        <source>书签未保存：%1</source>
        <translation>Bookmark not saved: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="115"/>
        <source>导出</source>
        <translation>Export</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="63"/>
        <source>已添加书签：%1</source>
        <translation>Bookmark added: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="76"/>
        <source>保存交接班报告</source>
        <translation>Save handover report</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="84"/>
        <source>正在生成交接班报告…</source>
        <translation>Writing the handover report…</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="93"/>
        <source>交接班报告已保存：%1</source>
        <translation>Handover report saved: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="96"/>
        <source>报告生成</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="103"/>
        <source>导出时间段</source>
        <translation>Export time range</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="103"/>
        <source>值班记录 (*.zhcg)</source>
        <translation>Shift logs (*.zhcg)</translation>
    </message>
    <message>
        <location filename="../../widgets/app/shift_tools.py" line="111"/>
        <source>已导出：%1</source>
        <translation>Exported: %1</translation>
    </message>
</context>
<context>
    <name>StartupWindow</name>
    <message>
        <location filename="../../widgets/app/startup_window.py" line="27"/>
        <location filename="../../widgets/app/startup_window.py" line="29"/>
        <source>智慧城管 指挥中心</source>
        <translation>Smart City Command Centre</translation>
    </message>
    <message>
        <location filename="../../widgets/app/startup_window.py" line="43"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../widgets/app/startup_window.py" line="62"/>
        <source>正在启动演示区的后台与模拟器…</source>
        <translation>Starting the demo district&apos;s backend and simulator…</translation>
    </message>
    <message>
        <location filename="../../widgets/app/startup_window.py" line="65"/>
        <source>后台已就绪，正在登录…</source>
        <translation>Backend ready, signing in…</translation>
    </message>
    <message>
        <location filename="../../widgets/app/startup_window.py" line="70"/>
        <source>启动未成功：</source>
        <translation>The start did not succeed: </translation>
    </message>
</context>
<context>
    <name>StepDialog</name>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="97"/>
        <source>执法步骤</source>
        <translation>Enforcement step</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="101"/>
        <source>说明（必填）</source>
        <translation>Note (required)</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="101"/>
        <location filename="../../widgets/panels/enforcement.py" line="104"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="106"/>
        <source>警告</source>
        <translation>Warning</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="113"/>
        <source>罚款</source>
        <translation>Fine</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="115"/>
        <source>依据</source>
        <translation>Legal basis</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="116"/>
        <source>当事人放弃陈述申辩和听证</source>
        <translation>The party waives statement and hearing</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/enforcement.py" line="124"/>
        <source>已缴纳</source>
        <translation>Paid</translation>
    </message>
</context>
<context>
    <name>SunshineScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="903"/>
        <source>阳光执法 · 行政处罚决定公示</source>
        <translation>Open enforcement · penalty decisions</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="921"/>
        <source>阳光执法</source>
        <translation>Open enforcement</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="934"/>
        <source>公示数据暂不可用，稍后重试</source>
        <translation>Disclosure unavailable, retrying shortly</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="941"/>
        <source>决定书文号</source>
        <translation>Decision no.</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="942"/>
        <source>决定日期</source>
        <translation>Decided</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="943"/>
        <source>当事人</source>
        <translation>Party</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="944"/>
        <source>违法事项</source>
        <translation>Violation</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="945"/>
        <source>处罚</source>
        <translation>Penalty</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="946"/>
        <source>街道</source>
        <translation>Street</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="971"/>
        <source>暂无公示的处罚决定</source>
        <translation>No published decisions yet</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="974"/>
        <source>依据《行政处罚法》第四十八条公开；个人信息已依法作去标识化处理。</source>
        <translation>Published under Art. 48 of the Administrative Penalty Law; personal data de-identified.</translation>
    </message>
</context>
<context>
    <name>TaskDialog</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="335"/>
        <source>（网格责任）</source>
        <translation>(grid&apos;s supervisor)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="340"/>
        <source>备注（可选）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="343"/>
        <source>监督员</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="344"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="231"/>
        <source>到开始 (Home)</source>
        <extracomment>Live, the strip&apos;s range runs this share of its span ahead of now: moved whenever now passed its end, the range changed on every tick at 60x and the time axis laid out its labels again each time (pyqtgraph&apos;s AxisItem.generateDrawSpecs, seen in ``bench gui --stacks``).</extracomment>
        <translation>To start (Home)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="232"/>
        <source>上一事件 (←)</source>
        <translation>Previous event (←)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="233"/>
        <source>播放/暂停 (空格)</source>
        <translation>Play/pause (Space)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="234"/>
        <source>下一事件 (→)</source>
        <translation>Next event (→)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="235"/>
        <source>到结束 (End)</source>
        <translation>To end (End)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="236"/>
        <source>播放速度</source>
        <translation>Playback speed</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="237"/>
        <source>输入时间 HH:MM[:SS]，回车跳转</source>
        <translation>Type a time HH:MM[:SS], Enter to go</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="238"/>
        <source>跳过空闲</source>
        <translation>Skip idle</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="239"/>
        <source>循环区间</source>
        <translation>Loop range</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="240"/>
        <source>回到实时</source>
        <translation>Back to live</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="241"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="241"/>
        <source>车辆</source>
        <translation>Fleet</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="241"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="241"/>
        <source>操作</source>
        <translation>Actions</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="318"/>
        <source>实时</source>
        <translation>LIVE</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="318"/>
        <source>回看中</source>
        <translation>REWOUND</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="323"/>
        <source>回放</source>
        <translation>REPLAY</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="332"/>
        <source>新告警 %1</source>
        <translation>%1 new alerts</translation>
    </message>
</context>
<context>
    <name>TrendsScene</name>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="632"/>
        <source>每小时上报趋势</source>
        <translation>Reports per hour</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="642"/>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="642"/>
        <source>上周同日</source>
        <translation>Same day last week</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="643"/>
        <source>上周同日：暂无该日数据</source>
        <translation>Same day last week: no data for that day yet</translation>
    </message>
    <message>
        <location filename="../../widgets/wall/scenes.py" line="665"/>
        <source>上周同日趋势</source>
        <translation>Same day last week</translation>
    </message>
</context>
<context>
    <name>VehicleModel</name>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="58"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="59"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="60"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="61"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="62"/>
        <source>定位</source>
        <translation>Locate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="63"/>
        <source>今日覆盖</source>
        <translation>Coverage today</translation>
    </message>
</context>
<context>
    <name>VehiclePanel</name>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="205"/>
        <source>跟随</source>
        <translation>Follow</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="206"/>
        <source>显示轨迹</source>
        <translation>Show track</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="210"/>
        <source>最近 %1 小时</source>
        <translation>Last %1 h</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="211"/>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="249"/>
        <source>加载车辆轨迹</source>
        <translation>Loading the vehicle track</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="270"/>
        <source>计算线路覆盖率</source>
        <translation>Computing route coverage</translation>
    </message>
</context>
<context>
    <name>WallThrow</name>
    <message>
        <location filename="../../widgets/app/wall_throw.py" line="45"/>
        <location filename="../../widgets/app/wall_throw.py" line="58"/>
        <source>投到大屏</source>
        <translation>Show on wall</translation>
    </message>
    <message>
        <location filename="../../widgets/app/wall_throw.py" line="46"/>
        <source>车辆投到大屏</source>
        <translation>Show vehicle on wall</translation>
    </message>
    <message>
        <location filename="../../widgets/app/wall_throw.py" line="47"/>
        <source>告警投到大屏</source>
        <translation>Show alert on wall</translation>
    </message>
    <message>
        <location filename="../../widgets/app/wall_throw.py" line="52"/>
        <source>先选中要投到大屏的对象</source>
        <translation>Select something to show on the wall first</translation>
    </message>
    <message>
        <location filename="../../widgets/app/wall_throw.py" line="56"/>
        <source>已投到大屏：%1</source>
        <translation>On the wall: %1</translation>
    </message>
</context>
<context>
    <name>WallWindow</name>
    <message>
        <location filename="../../widgets/wall/window.py" line="46"/>
        <source>指挥大屏</source>
        <extracomment>``fetch_bytes(path)`` (a camera&apos;s still), when a backend is there.</extracomment>
        <translation>Video wall</translation>
    </message>
</context>
<context>
    <name>WorkOrderPanel</name>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="116"/>
        <source>计划</source>
        <translation>Planned</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="117"/>
        <location filename="../../widgets/panels/work_orders.py" line="160"/>
        <source>派单</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="118"/>
        <source>施工</source>
        <translation>In work</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="119"/>
        <source>验收</source>
        <translation>Acceptance</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="120"/>
        <source>完成</source>
        <translation>Done</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="121"/>
        <location filename="../../widgets/panels/work_orders.py" line="163"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="126"/>
        <source>正常</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="127"/>
        <source>损坏</source>
        <translation>Damaged</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="128"/>
        <source>缺失</source>
        <translation>Missing</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="129"/>
        <source>停用</source>
        <translation>Out of service</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="130"/>
        <source>维修中</source>
        <translation>Under repair</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="135"/>
        <source>路灯夜巡</source>
        <translation>Street light night patrol</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="136"/>
        <source>路灯配电箱检查</source>
        <translation>Lighting cabinet check</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="137"/>
        <source>排水检查井巡查</source>
        <translation>Sewer manhole inspection</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="138"/>
        <source>雨水口清掏</source>
        <translation>Storm inlet clearing</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="139"/>
        <source>窨井盖巡查</source>
        <translation>Manhole cover inspection</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="140"/>
        <source>消火栓检查</source>
        <translation>Hydrant check</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="141"/>
        <source>废物箱清洗</source>
        <translation>Litter bin cleaning</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="147"/>
        <source>工单号</source>
        <translation>Order</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="148"/>
        <source>养护计划</source>
        <translation>Plan</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="149"/>
        <source>责任部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="150"/>
        <location filename="../../widgets/panels/work_orders.py" line="304"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="151"/>
        <source>部件数</source>
        <translation>Components</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="152"/>
        <source>期限</source>
        <translation>Due</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="153"/>
        <source>按期</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="157"/>
        <source>部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="157"/>
        <source>应完成</source>
        <translation>Due</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="157"/>
        <source>养护计划完成率</source>
        <translation>Plan completion rate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="157"/>
        <source>按期完成率</source>
        <translation>On-time rate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="161"/>
        <source>验收通过</source>
        <translation>Accept</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="162"/>
        <source>验收不通过</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="232"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="232"/>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="245"/>
        <source>应完成：{0}</source>
        <translation>Due: {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="289"/>
        <source>在地图上放大到街道，点击部件查看详情。</source>
        <translation>Zoom the map in to a street and click a component for its details.</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="304"/>
        <source>权属单位</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="305"/>
        <source>无</source>
        <translation>none</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="305"/>
        <location filename="../../widgets/panels/work_orders.py" line="381"/>
        <source>养护工单</source>
        <translation>Work orders</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/work_orders.py" line="305"/>
        <source>未结案件</source>
        <translation>Open cases</translation>
    </message>
</context>
<context>
    <name>Workers</name>
    <message>
        <location filename="../../widgets/common/workers.py" line="99"/>
        <source>%1失败：%2</source>
        <translation>%1 failed: %2</translation>
    </message>
    <message>
        <location filename="../../widgets/common/workers.py" line="101"/>
        <source>后台任务失败：%1</source>
        <translation>Background job failed: %1</translation>
    </message>
</context>
<context>
    <name>_Base</name>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="62"/>
        <source>原因（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="62"/>
        <source>备注（可选）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/coop_dialogs.py" line="64"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
</context>
</TS>

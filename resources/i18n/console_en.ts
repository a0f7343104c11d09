<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AlertModel</name>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="59"/>
        <source>级别</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="60"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="61"/>
        <source>对象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="62"/>
        <source>时长</source>
        <translation>Age</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="63"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="64"/>
        <source>详情</source>
        <translation>Detail</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="103"/>
        <source>已升级</source>
        <translation>escalated</translation>
    </message>
</context>
<context>
    <name>AlertPane</name>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="201"/>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="202"/>
        <source>定位</source>
        <translation>Locate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="203"/>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="206"/>
        <source>静音 5 分钟</source>
        <translation>Mute 5 minutes</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="207"/>
        <source>静音 15 分钟</source>
        <translation>Mute 15 minutes</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="208"/>
        <source>静音 1 小时</source>
        <translation>Mute 1 hour</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="209"/>
        <source>取消静音</source>
        <translation>Unmute</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="215"/>
        <source>未确认</source>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="215"/>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="215"/>
        <source>严重</source>
        <translation>Critical</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="223"/>
        <source>静音至 %1</source>
        <translation>Muted until %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="246"/>
        <source>未确认 %1</source>
        <translation>%1 open</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="259"/>
        <source>确认告警</source>
        <translation>Acknowledge alert</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/alerts.py" line="259"/>
        <source>确认说明（可选）：</source>
        <translation>Comment (optional):</translation>
    </message>
</context>
<context>
    <name>CaseActions</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="165"/>
        <source>此案件当前不能执行该操作</source>
        <translation>This action is not possible on this case now</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="178"/>
        <source>已提交：%1 %2</source>
        <translation>Sent: %1 %2</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="193"/>
        <source>已完成：%1</source>
        <translation>Done: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="201"/>
        <source>操作被拒绝</source>
        <translation>Action refused</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="201"/>
        <source>操作未执行</source>
        <translation>Action not taken</translation>
    </message>
</context>
<context>
    <name>CaseDetail</name>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="127"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="128"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="129"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="130"/>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="131"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="132"/>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="133"/>
        <source>网格/街道/社区</source>
        <translation>Grid / street / community</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="134"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="135"/>
        <source>上报时间</source>
        <translation>Reported at</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="136"/>
        <source>上报人</source>
        <translation>Reporter</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="137"/>
        <source>返工/延期/回退</source>
        <translation>Rework / extensions / returns</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="145"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="145"/>
        <source>环节</source>
        <translation>Step</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="145"/>
        <source>人员</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="145"/>
        <source>说明</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="145"/>
        <source>按时</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="147"/>
        <source>照片</source>
        <translation>Photos</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="148"/>
        <source>办理过程</source>
        <translation>History</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="158"/>
        <source>未选择案件</source>
        <translation>No case selected</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="168"/>
        <source>正常</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="168"/>
        <source>临期</source>
        <translation>At risk</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="168"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="188"/>
        <source>延期待批 %1 小时</source>
        <translation>extension of %1 h pending</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="189"/>
        <source>计时暂停</source>
        <translation>clock stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="221"/>
        <source>超时 %1</source>
        <translation>%1 over</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="222"/>
        <source>剩余 %1</source>
        <translation>%1 left</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="257"/>
        <source>无照片</source>
        <translation>No photos</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_detail.py" line="274"/>
        <location filename="../../widgets/panels/case_detail.py" line="277"/>
        <source>无法加载</source>
        <translation>Cannot load</translation>
    </message>
</context>
<context>
    <name>CaseTableModel</name>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="96"/>
        <source>编号</source>
        <translation>Case id</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="97"/>
        <source>剩余时限</source>
        <translation>Time left</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="98"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="99"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="100"/>
        <source>网格</source>
        <translation>Grid cell</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="101"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="102"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="103"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="104"/>
        <source>已用时</source>
        <translation>Age</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="172"/>
        <source>延期待批</source>
        <translation>extension pending</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/case_table.py" line="183"/>
        <source>暂停</source>
        <translation>Paused</translation>
    </message>
</context>
<context>
    <name>ConflictDialog</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="223"/>
        <source>案件已被他人更新</source>
        <translation>The case was changed by someone else</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="226"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="227"/>
        <source>版本</source>
        <translation>Version</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="228"/>
        <source>处置部门</source>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="229"/>
        <source>延期申请</source>
        <translation>Extension request</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="245"/>
        <source>你操作时看到的是第 %1 版，现在是第 %2 版：</source>
        <translation>You decided on version %1; the case is now at version %2:</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="253"/>
        <source>按最新版本重试：%1</source>
        <translation>Retry on the current version: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="257"/>
        <source>放弃</source>
        <translation>Discard</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="263"/>
        <source>该操作在最新状态下已不可执行。</source>
        <translation>The action is no longer possible on the current version.</translation>
    </message>
</context>
<context>
    <name>ConsoleStatusBar</name>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="45"/>
        <source>已连接</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="46"/>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="47"/>
        <source>服务异常</source>
        <translation>Backend error</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="48"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="49"/>
        <source>已停止</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="50"/>
        <source>回放</source>
        <translation>Replay</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="57"/>
        <source>延迟</source>
        <translation>lag</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="57"/>
        <source>隔离</source>
        <translation>quarantined</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="63"/>
        <source>待发送 %1</source>
        <translation>Outbox %1</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="69"/>
        <source>工作时间</source>
        <translation>Working time</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/status_bar.py" line="69"/>
        <source>非工作时间</source>
        <translation>Off hours</translation>
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
        <location filename="../../widgets/app/main_window.py" line="254"/>
        <source>智慧城管指挥中心 · %1</source>
        <translation>Smart City Command Centre · %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="257"/>
        <source>案件队列</source>
        <translation>Case queues</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="258"/>
        <source>案件详情</source>
        <translation>Case detail</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="259"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="260"/>
        <source>环卫车辆</source>
        <translation>Sanitation fleet</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="261"/>
        <source>时间轴</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="268"/>
        <source>文件(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="269"/>
        <source>案件(&amp;C)</source>
        <translation>&amp;Case</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="270"/>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="271"/>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="272"/>
        <source>图层</source>
        <translation>Layers</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="273"/>
        <source>面板</source>
        <translation>Panels</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="274"/>
        <source>主题</source>
        <translation>Theme</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="275"/>
        <source>语言</source>
        <translation>Language</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="276"/>
        <source>深色（大屏）</source>
        <translation>Dark (video wall)</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="277"/>
        <source>浅色</source>
        <translation>Light</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="278"/>
        <source>新建热线案件</source>
        <translation>New hotline case</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="279"/>
        <source>添加书签</source>
        <translation>Add bookmark</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="280"/>
        <source>交接班报告</source>
        <translation>Handover report</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="281"/>
        <source>导出时间段</source>
        <translation>Export time range</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="282"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="283"/>
        <source>适应辖区</source>
        <translation>Fit district</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="284"/>
        <source>恢复默认布局</source>
        <translation>Reset layout</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="285"/>
        <location filename="../../widgets/app/main_window.py" line="412"/>
        <source>关于</source>
        <translation>About</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="326"/>
        <source>热线案件已立：%1</source>
        <translation>Hotline case created: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="329"/>
        <source>热线案件上报失败：%1</source>
        <translation>Hotline case not created: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="333"/>
        <source>告警确认失败：%1</source>
        <translation>Alert acknowledgement failed: %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="390"/>
        <source>显示 %1</source>
        <translation>showing %1</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="393"/>
        <source>回看 %1 · 实时记录继续</source>
        <translation>Rewound to %1 · live recording continues</translation>
    </message>
    <message>
        <location filename="../../widgets/app/main_window.py" line="413"/>
        <source>智慧城管指挥中心操作台
案件闭环、环卫车辆、告警与交接班记录。</source>
        <translation>Smart city management command console
Closed-loop cases, sanitation fleet, alerts and shift logs.</translation>
    </message>
</context>
<context>
    <name>MapWall</name>
    <message>
        <location filename="../../widgets/map/wall.py" line="178"/>
        <source>相邻城区</source>
        <translation>Neighbouring districts</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="179"/>
        <source>辖区边界</source>
        <translation>District boundary</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="180"/>
        <source>单元网格</source>
        <translation>Unit grid</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="181"/>
        <source>案件热力图</source>
        <translation>Case heatmap</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="182"/>
        <source>车辆轨迹</source>
        <translation>Vehicle trails</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="183"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="184"/>
        <location filename="../../widgets/map/wall.py" line="193"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="185"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="192"/>
        <source>正常</source>
        <translation>On time</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="192"/>
        <source>临期</source>
        <translation>At risk</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="192"/>
        <source>超期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="193"/>
        <source>部件</source>
        <translation>Component</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="193"/>
        <source>事件</source>
        <translation>Event</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="194"/>
        <source>作业</source>
        <translation>Working</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="194"/>
        <source>行驶</source>
        <translation>Driving</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="195"/>
        <source>停驶</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/map/wall.py" line="195"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
</context>
<context>
    <name>NewCaseDialog</name>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="38"/>
        <source>新建热线案件 (12319)</source>
        <translation>New hotline case (12319)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="51"/>
        <source>输入编码或名称，如 06010 或 垃圾</source>
        <translation>Type a code or name, e.g. 06010 or garbage</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="53"/>
        <source>地址（社区或街道名可定位）</source>
        <translation>Address (a community or street name locates it)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="55"/>
        <source>按地址定位</source>
        <translation>Find address</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="57"/>
        <source>在地图上选点</source>
        <translation>Pick on map</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="59"/>
        <source>未定位</source>
        <translation>No location</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="63"/>
        <source>来电号码（可选）</source>
        <translation>Caller&apos;s number (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="74"/>
        <source>类别</source>
        <translation>Category</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="75"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="76"/>
        <source>位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="77"/>
        <source>描述</source>
        <translation>Description</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="78"/>
        <source>来电</source>
        <translation>Caller</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="79"/>
        <source>紧急程度</source>
        <translation>Urgency</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="83"/>
        <source>上报</source>
        <translation>Report</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="99"/>
        <source>找不到该地址，请在地图上选点</source>
        <translation>Address not found: pick the place on the map</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="114"/>
        <source>请选择类别</source>
        <translation>Choose a category</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="117"/>
        <source>请定位案件位置</source>
        <translation>Locate the case first</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/new_case.py" line="127"/>
        <source>12319 来电 %1</source>
        <translation>12319 call %1</translation>
    </message>
</context>
<context>
    <name>ParamsDialog</name>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="88"/>
        <source>处置部门</source>
        <extracomment>Keyboard shortcuts of the queue and detail actions (one key, as the desk works fast). The actions a centre desk takes, in menu order (department/supervisor actions are theirs).</extracomment>
        <translation>Department</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="91"/>
        <source>申请延期</source>
        <translation>Extension requested</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="91"/>
        <source>%1 小时</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="94"/>
        <source>原因（必填）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="94"/>
        <source>备注（可选）</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../../widgets/dialogs/case_actions.py" line="97"/>
        <source>说明</source>
        <translation>Note</translation>
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
    <name>ReplayApp</name>
    <message>
        <location filename="../../widgets/app/replay_app.py" line="34"/>
        <source>回放</source>
        <translation>REPLAY</translation>
    </message>
</context>
<context>
    <name>ReplayController</name>
    <message>
        <location filename="../../widgets/timeline/controller.py" line="107"/>
        <source>读取时间轴索引</source>
        <translation>Reading the timeline index</translation>
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
    <name>Timeline</name>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="227"/>
        <source>到开始 (Home)</source>
        <translation>To start (Home)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="228"/>
        <source>上一事件 (←)</source>
        <translation>Previous event (←)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="229"/>
        <source>播放/暂停 (空格)</source>
        <translation>Play/pause (Space)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="230"/>
        <source>下一事件 (→)</source>
        <translation>Next event (→)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="231"/>
        <source>到结束 (End)</source>
        <translation>To end (End)</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="232"/>
        <source>播放速度</source>
        <translation>Playback speed</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="233"/>
        <source>输入时间 HH:MM[:SS]，回车跳转</source>
        <translation>Type a time HH:MM[:SS], Enter to go</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="234"/>
        <source>跳过空闲</source>
        <translation>Skip idle</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="235"/>
        <source>循环区间</source>
        <translation>Loop range</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="236"/>
        <source>回到实时</source>
        <translation>Back to live</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="237"/>
        <source>案件</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="237"/>
        <source>车辆</source>
        <translation>Fleet</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="237"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="237"/>
        <source>操作</source>
        <translation>Actions</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="313"/>
        <source>实时</source>
        <translation>LIVE</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="313"/>
        <source>回看中</source>
        <translation>REWOUND</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="318"/>
        <source>回放</source>
        <translation>REPLAY</translation>
    </message>
    <message>
        <location filename="../../widgets/timeline/strip.py" line="327"/>
        <source>新告警 %1</source>
        <translation>%1 new alerts</translation>
    </message>
</context>
<context>
    <name>VehicleModel</name>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="57"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="58"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="59"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="60"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="61"/>
        <source>定位</source>
        <translation>Locate</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="62"/>
        <source>今日覆盖</source>
        <translation>Coverage today</translation>
    </message>
</context>
<context>
    <name>VehiclePanel</name>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="200"/>
        <source>跟随</source>
        <translation>Follow</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="201"/>
        <source>显示轨迹</source>
        <translation>Show track</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="205"/>
        <source>最近 %1 小时</source>
        <translation>Last %1 h</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="206"/>
        <source>今日</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="244"/>
        <source>加载车辆轨迹</source>
        <translation>Loading the vehicle track</translation>
    </message>
    <message>
        <location filename="../../widgets/panels/fleet.py" line="263"/>
        <source>计算线路覆盖率</source>
        <translation>Computing route coverage</translation>
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
</TS>

"""The demo's past sitting (第十八届人大第五次会议, January 2026), as the county's records tell it.

Two ballots were held there, both published with their signed results:
- the 2026 selection vote (10 candidates for 8 seats): the 8 projects of `history.py` were
  selected, the two below (`LOSING_2026`) fell short of the 76 "for" votes;
- the satisfaction evaluation of the five 2025 projects (`PROJECTS_2025`), one of which (农村生活污水
  处理设施建设) fell under the 85% satisfaction rate and was sent back for 整改.

The vote figures are fixed here (`SELECTION_VOTES`, `EVALUATION_VOTES`); `sitting.py` casts ballots
that add up to exactly these figures through the real booth service. Dates of the past are fixed.
"""

# ruff: noqa: E501  (prose: a paragraph reads best on one line)

from datetime import date, datetime

from voting.demo.data import COUNTY

SESSION_NUMBER = 5  # 第五次会议: COUNTY_SESSIONS in data.py
SIGN_IN = datetime(2026, 1, 14, 8, 0)  # the plenary of the second day; deputies sign in from 8:00
ROSTER_ABSENT = 7  # 应到150名，实到143名
SLIPS = 150  # slips printed for the roster; the ones not drawn are voided before the vote

SELECTION_TITLE = "青川县2026年民生实事项目票决"
EVALUATION_TITLE = "青川县2025年民生实事项目满意度测评"
RECTIFY_BELOW_RATE = "0.85"

# (opened, closed, published) of each ballot at the sitting.
SELECTION_TIMES = (datetime(2026, 1, 14, 9, 42), datetime(2026, 1, 14, 10, 6), datetime(2026, 1, 14, 11, 20))
EVALUATION_TIMES = (datetime(2026, 1, 14, 10, 15), datetime(2026, 1, 14, 10, 38), datetime(2026, 1, 14, 11, 25))

SELECTION_RULES = """青川县第十八届人民代表大会第五次会议2026年民生实事项目票决办法

一、本次会议票决2026年县人民政府民生实事项目。候选项目10个，应选8个，实行差额票决。

二、票决采用无记名投票方式，使用电子选票。代表签到后自行抽取选票凭证一张，凭证不记名、不编号，与代表身份不作任何关联。

三、代表对每个候选项目可以表示赞成、不赞成或者弃权，未作选择的按弃权计算。每张选票表示赞成的项目不得多于8个。

四、候选项目获得的赞成票超过全体代表的半数（即76票及以上）的，始得当选。获得赞成票超过半数的候选项目多于应选数时，按照得票多少的顺序确定当选项目；如遇票数相等不能确定当选项目时，应当就票数相等的项目另行投票。

五、本次会议设总监票人1名、监票人2名，经大会通过。计票结果经监票人签署后，由总监票人向大会报告，由大会执行主席宣布，并向社会公布。

六、本办法经本次会议主席团会议通过后施行。"""

EVALUATION_RULES = """青川县2025年民生实事项目满意度测评办法

一、本次会议对县第十八届人民代表大会第四次会议票决产生的5个2025年民生实事项目的实施情况进行满意度测评。

二、测评采用无记名投票方式，使用电子测评票，选票凭证的发放和使用与项目票决相同，凭证与代表身份不作任何关联。

三、代表对每个项目可以表示满意、基本满意或者不满意，也可以弃权，未作选择的按弃权计算。

四、项目获得的满意票超过参加测评人数半数的，测评结果为满意；满意票与基本满意票合计超过参加测评人数半数的，为基本满意；其余为不满意。

五、满意率（满意票与基本满意票之和占有效票的比例）低于85%或者测评结果为不满意的项目，承办单位应当在三个月内制定整改方案、抓好整改，并向县人大常委会书面报告整改情况。

六、测评结果经监票人签署后，由总监票人向大会报告，并向社会公布。"""

# The two 2026 candidates that were not selected, as listed on the ballot.
LOSING_2026 = (
    {
        "title": "城区智慧停车系统建设", "category": "transport", "unit": "县交通运输局", "budget": "1600",
        "funding": "县级财政+社会资本投入", "location": "城关镇老城区及城北新区",
        "summary": "建设城区智慧停车管理平台，新增和改造公共停车泊位1,200个",
        "description": "老城区停车位缺口较大，占道停车、乱停乱放现象突出。项目拟建设城区智慧停车管理平台，利用闲置地块和道路边角新增公共停车泊位600个，改造现有泊位600个，安装地磁感应和诱导屏，实现车位查询、导航和无感支付。",
    },
    {
        "title": "城区生活垃圾分类收运体系建设", "category": "environment", "unit": "县住房和城乡建设局", "budget": "760",
        "funding": "县级财政", "location": "城关镇12个社区",
        "summary": "在城区12个社区建设垃圾分类投放点180个，配置分类收运车辆16辆",
        "description": "在城区12个社区推行生活垃圾“四分类”，建设定时定点分类投放点180个，配置厨余垃圾、可回收物等分类收运车辆16辆，建设可回收物分拣中心1座，同步开展入户宣传和督导。",
    },
)

# Slip order of the 2026 ballot: the 8 projects of history.PROJECTS_2026 (by index) and the two
# losing ones (by title), as the 常委会 listed them.
SELECTION_ORDER = (0, 1, 2, 3, "城区智慧停车系统建设", 4, 5, 6, 7, "城区生活垃圾分类收运体系建设")

# ("for", "against") of each candidate; the rest of the 143 valid ballots abstained. One ballot
# was cast blank. Each deputy marked at most 8 "for": the 1,130 marks fit on 142 ballots.
SELECTION_VOTES = {
    0: (137, 3), 1: (134, 2), 2: (127, 6), 3: (132, 4), 4: (129, 3), 5: (123, 8), 6: (121, 7),
    7: (125, 5), "城区智慧停车系统建设": (58, 47), "城区生活垃圾分类收运体系建设": (44, 61),
}
SELECTION_CAST = 143
SELECTION_BLANK = 1

# (满意, 基本满意, 不满意, 弃权) of each 2025 project from the 141 deputies who took part.
EVALUATION_CAST = 141

PROJECTS_2025 = (
    {
        "title": "中小学校食堂“明厨亮灶”改造", "category": "education", "unit": "县教育局", "budget": "620",
        "funding": "县级财政", "location": "全县46所中小学校", "completion": "met", "votes": (112, 25, 3, 1),
        "summary": "为46所中小学校食堂安装“明厨亮灶”视频监控，更新厨房设备",
        "description": "在全县46所中小学校食堂安装“明厨亮灶”视频监控系统，家长可通过手机查看后厨操作；更新老化的灶具、消毒柜和留样冰箱，改造食堂排烟和排水设施，让孩子吃得安全、家长看得放心。",
        "milestones": (("完成设备采购招标", date(2025, 4, 10), date(2025, 4, 8)), ("暑假期间完成食堂改造", date(2025, 8, 25), date(2025, 8, 22)), ("视频监控接入家长端", date(2025, 10, 31), date(2025, 10, 20))),
        "updates": (
            (datetime(2025, 5, 16, 15, 20), 30, "160", "完成46所学校食堂现场勘查和设备采购招标，利用周末和节假日先行改造12所农村学校食堂的排烟设施。", None),
            (datetime(2025, 8, 29, 10, 5), 85, "505", "利用暑假完成34所学校食堂设备更新和视频监控安装，秋季开学前全部通过食品安全检查。", None),
            (datetime(2025, 11, 12, 16, 40), 100, "598", "46所学校“明厨亮灶”全部建成并接入家长端，累计2.1万名家长注册查看。项目通过县教育局、县市场监督管理局联合验收。", None),
        ),
    },
    {
        "title": "县人民医院胸痛中心和卒中中心建设", "category": "health", "unit": "县卫生健康局", "budget": "1450",
        "funding": "县级财政+省级医疗服务能力提升补助", "location": f"{COUNTY}人民医院", "completion": "met", "votes": (117, 20, 2, 2),
        "summary": "建成县人民医院胸痛中心和卒中中心，急性心梗、脑卒中患者就近得到救治",
        "description": "县人民医院新建导管室1间，配置数字减影血管造影机（DSA）等设备，组建胸痛、卒中急救团队，与乡镇卫生院和120急救站建立远程心电、绿色通道联动机制，使急性心梗、脑卒中患者在县内即可完成溶栓和介入治疗。",
        "milestones": (("导管室改造完工", date(2025, 6, 30), date(2025, 6, 26)), ("DSA设备安装调试", date(2025, 8, 31), date(2025, 9, 6)), ("通过省级胸痛中心、卒中中心认证", date(2025, 12, 15), date(2025, 12, 8))),
        "updates": (
            (datetime(2025, 6, 28, 9, 30), 40, "380", "导管室改造完工，DSA设备已完成招标，乡镇卫生院远程心电设备陆续安装。", None),
            (datetime(2025, 9, 10, 11, 15), 80, "1180", "DSA设备安装调试完成，胸痛中心开展首例急诊介入手术。与15家乡镇卫生院和120急救站建立远程心电会诊。", None),
            (datetime(2025, 12, 10, 14, 0), 100, "1402", "胸痛中心、卒中中心通过省级认证。开诊以来救治急性心梗患者86例、脑卒中患者213例，“进门到球囊扩张”平均时间缩短到68分钟。", None),
        ),
    },
    {
        "title": "乡镇农贸市场标准化改造", "category": "market", "unit": "县市场监督管理局", "budget": "1200",
        "funding": "县级财政+市场经营主体投入", "location": "石门镇、桥头镇、白水镇、龙潭乡", "completion": "met", "votes": (98, 35, 6, 2),
        "summary": "改造石门镇、桥头镇、白水镇、龙潭乡农贸市场4个，规范摊位560个",
        "description": "对4个乡镇农贸市场实施标准化改造：硬化地面、完善排水，划行归市规范摊位，设置农民自产自销区、公平秤和农产品快检室，改造市场公厕，解决“脏乱差”和赶集拥堵问题。",
        "milestones": (("完成改造设计和招标", date(2025, 4, 30), date(2025, 5, 9)), ("4个市场主体改造完工", date(2025, 9, 30), date(2025, 10, 15)), ("市场重新开业", date(2025, 11, 15), date(2025, 11, 20))),
        "updates": (
            (datetime(2025, 5, 20, 10, 40), 15, "180", "完成4个市场改造设计和施工招标。为不影响赶集，改造期间在市场周边设置临时疏解点。", None),
            (datetime(2025, 9, 5, 15, 10), 60, "690", "石门镇、桥头镇市场主体改造完工，白水镇、龙潭乡市场因雨季影响进度滞后约半个月。", ("building", "桥头镇农贸市场改造施工")),
            (datetime(2025, 11, 24, 9, 50), 100, "1160", "4个农贸市场全部完成改造并重新开业，规范摊位560个，设置快检室4个，每天公示检测结果。", None),
        ),
    },
    {
        "title": "农村生活污水处理设施建设", "category": "environment", "unit": "县生态环境局", "budget": "2300",
        "funding": "中央农村环境整治资金+县级财政", "location": "青川河沿线12个行政村", "completion": "basically_met", "votes": (49, 53, 36, 3),
        "summary": "在青川河沿线12个行政村建设污水处理站18座，铺设收集管网46公里",
        "description": "青川河沿线村落生活污水直排入河，影响流域水质。项目在12个行政村建设小型一体化污水处理站18座，铺设收集管网46公里，处理后达标排放。",
        "milestones": (("完成选址和施工招标", date(2025, 4, 30), date(2025, 5, 18)), ("18座处理站主体完工", date(2025, 10, 31), date(2025, 11, 26)), ("管网接户和试运行", date(2025, 12, 20), date(2025, 12, 28))),
        "updates": (
            (datetime(2025, 6, 3, 16, 30), 15, "320", "完成18座处理站选址和施工招标。部分村组对站点选址有不同意见，经多次协调后确定。", None),
            (datetime(2025, 10, 9, 11, 20), 60, "1380", "14座处理站主体完工，管网铺设完成31公里。受汛期和征地协调影响，工期较计划滞后约一个月。", ("water", "青川河沿线污水处理站施工")),
            (datetime(2025, 12, 30, 17, 5), 95, "2150", "18座处理站全部建成并进入试运行，管网铺设46公里。部分农户接户管尚未完成，将在2026年一季度扫尾。", None),
        ),
        "rectification": (
            (datetime(2026, 3, 27, 15, 30), 40, "2180", "针对县第十八届人大第五次会议满意度测评中代表提出的部分站点“建而不用”、管网未接户等问题，县生态环境局制定了整改方案：对18座处理站逐一排查，查明5座站点因进水量不足、设备故障未能正常运行，11个村有620户农户接户管未接通。已完成第三方专业运维单位公开招标，建立“一站一档”运行台账。", None),
            (datetime(2026, 7, 16, 10, 10), 100, "2260", "5座站点完成设备维修和工艺调整，新增接户管网7.6公里、接通农户620户，18座处理站全部正常运行，第三方检测出水水质全部达标。整改情况已书面报告县人大常委会，将在下次会议前接受代表“回头看”。", ("water", "整改后恢复运行的污水处理站")),
        ),
        "notes": ((date(2026, 5, 21), "第五代表监督小组", "监督小组对农村生活污水处理设施整改情况进行“回头看”，随机抽查了6座处理站。代表们认为整改措施具体，已修复站点运行正常；但仍有个别站点运维人员不熟悉操作，进水管网存在雨污混流。建议县生态环境局加强运维人员培训，将运行情况纳入乡镇年度考核，整改到位后向县人大常委会书面报告。"),),
    },
    {
        "title": "高标准农田灌溉设施配套", "category": "water", "unit": "县农业农村局", "budget": "1600",
        "funding": "中央高标准农田建设补助+县级财政", "location": "白水镇、清溪乡、桥头镇", "completion": "met", "votes": (104, 31, 4, 2),
        "summary": "新建改造灌溉渠道38公里，整治山坪塘60口，改善灌溉面积2.4万亩",
        "description": "针对部分农田“望天收”、渠道淤塞垮塌的问题，在白水镇、清溪乡、桥头镇新建改造灌溉渠道38公里，整治山坪塘60口，配套机耕道和提灌站，改善灌溉面积2.4万亩。",
        "milestones": (("春耕前完成渠道清淤", date(2025, 3, 31), date(2025, 3, 28)), ("山坪塘整治完成", date(2025, 6, 15), date(2025, 6, 10)), ("渠道和提灌站完工验收", date(2025, 11, 30), date(2025, 11, 18))),
        "updates": (
            (datetime(2025, 3, 30, 9, 40), 25, "280", "春耕前完成主干渠道清淤18公里，保障了白水镇、清溪乡春灌用水。", None),
            (datetime(2025, 6, 12, 14, 25), 60, "880", "60口山坪塘整治全部完成，汛期蓄水量比上年增加约40万立方米。", None),
            (datetime(2025, 11, 20, 10, 0), 100, "1545", "新建改造灌溉渠道38公里、提灌站6座全部完工并通过验收，改善灌溉面积2.4万亩，秋粮实现增产。", None),
        ),
    },
)

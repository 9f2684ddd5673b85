/**
 * The concept lexicon of community affairs: the concrete problems residents raise, each with the ways they say
 * it. Two suggestions that name the same concept describe the same problem even when they share few
 * characters (电梯坏了 / 困人 / 停运); two that name different concepts do not, however alike they look
 * (小区门口路灯不亮 / 小区门口积水).
 *
 * A concept id is a family and a kind: `light.street` and `light.corridor` are different problems, while a plain
 * `light` (灯不亮, no telling which) may be either. Patterns are regular expressions over the normalized text
 * (NFKC, lower case, Chinese numerals before 号/栋/楼 as digits). Order does not matter; a text may name several.
 *
 * Written for this project from how residents of old compounds write to their 社区; checked against
 * ../shared/data/grouping-dev.tsv and our own evaluation sets (test/grouping/fixtures), never the held-out set.
 * Generic words that appear in every kind of complaint (老人, 孩子, 晚上, 希望, 小区, 楼道 alone) are not
 * triggers: they say who or where, not what is wrong.
 */
export const CONCEPTS: ReadonlyArray<readonly [id: string, pattern: string]> = [
  // ---- building services ----
  ['elevator.install', '装.{0,2}电梯|没有?电梯|一部电梯都没|电梯都没|装上了|加.{0,2}电梯|加梯|加装梯|加梯|装电梯|安装电梯|没电梯|没有电梯|电梯.{0,6}加装|加装.{0,6}电梯'],
  ['elevator.repair', '(电梯|升降梯|直梯|梯子).{0,10}(坏|停|卡|困|故障|维修|修|不动|异响|晃|不走|关人|掉|不能用|用不了|没法用|太老|老化|更换|换新|咣当)|困人|关在电梯|电梯.{0,4}(里|内)|(老|旧)电梯'],
  ['elevator.air', '(电梯|轿厢).{0,8}(通风|闷|热|风扇|空调)'],
  ['elevator.ads', '(电梯|轿厢).{0,8}(广告|屏|音量)'],
  ['elevator', '电梯|直梯|升降梯|爬楼梯?|爬[0-9一二三四五六七八九十]+楼'],
  ['heating.cost', '煤改电|电采暖|取暖费|采暖费|暖气费|电费.{0,6}(贵|高|太多)|(贵|高).{0,4}电费'],
  ['heating', '暖气|供暖|供热|采暖|地暖|集中供热|暖器|(屋里|家里|室内|屋子|房间|在家).{0,8}(冷|冻|度|羽绒服|棉袄)|羽绒服|冰窖|冻感冒|冻病|温度.{0,4}(低|不够|上不去)|十[一二三四五六七八九]度|温乎乎|温吞'],
  ['water.outage', '停.{0,4}水|断水|断了水|突然没水|又没水|没水了|供水.{0,4}(中断|停)'],
  ['water.pressure', '(\\d+楼|\\d+层|高层|顶楼|顶层|楼上|上层).{0,16}(没水|水.{0,2}(小|低|细|滴|不足))|水压|供水不足|水.{0,3}不足|时有时无|水龙头.{0,6}(细|小|没劲)|水小|水流.{0,3}小|出水.{0,4}(小|细|慢)|细线|二次供水|加压|(?<!排)水泵|楼上.{0,6}(用水|没水|上不去)|高层.{0,8}(水|没水)|上不去水'],
  ['water.quality', '水.{0,8}(黄的|发黄|锈)|锈色|铁锈|水垢|壶底|水质|水黄|水浑|浑浊|锈味|沉淀|水箱.{0,6}(洗|清)|(洗|清).{0,4}水箱|水.{0,3}发黄|有沉淀|水.{0,2}(有味|发臭|锈)'],
  ['water', '自来水|没水|水龙头|供水|用水'],
  ['water.sewer', '(管道|下水|总管).{0,4}疏通|疏通.{0,4}(管道|下水|总管)|污水|总管道|下水道|下水管|排水管|污水管|化粪池|返水|冒水|地漏|马桶.{0,4}(堵|返)|管道.{0,3}堵|堵.{0,3}管道|污水.{0,4}(冒|溢|漫|流)|粪水|排污|往上冒|冒.{0,2}(脏水|污水|臭水|黑水)|(卫生间|厨房|洗手间).{0,6}(淹|冒|返|臭水|脏水)|脏水|臭水|反水'],
  ['leak.roof', '防水|屋面|漏雨|(屋顶|楼顶|顶楼|房顶|顶层).{0,10}(漏|渗|水|霉)|(漏|渗).{0,8}(屋顶|楼顶|顶楼|房顶|顶层)|雨季.{0,4}漏|下雨.{0,6}漏'],
  ['leak.upstairs', '楼上.{0,10}(漏|渗|防水)|\\d{3,4}.{0,6}(漏|渗|防水)|(漏|渗).{0,4}到我家|天花板.{0,6}(泡|黄|水渍)|楼上.{0,4}(卫生间|厕所|洗手间)'],
  ['leak.pipe', '水管.{0,3}(爆|裂|漏)|爆管|管子.{0,3}(爆|裂)'],
  ['leak', '漏水|渗水|墙.{0,3}(渗|湿|发霉)|接水|接了.{0,3}盆|天花板.{0,6}(水|漏|渗|滴)|往下滴水|滴水|水滴|(上面|顶上|顶棚|天花板|楼板).{0,6}(滴|漏|渗)'],
  ['gas', '燃气|煤气|天然气|漏气|液化气|气罐|一氧化碳'],
  ['power', '停电|断电|跳闸|电压|电表|电路.{0,4}(老化|坏)|线路老化|配电'],
  ['light.corridor', '楼道灯|声控灯|感应灯|楼梯灯|楼道.{0,4}灯|楼梯.{0,4}灯|单元.{0,4}灯|灯泡|楼道.{0,3}(黑|暗)|楼梯.{0,3}(黑|暗)|上楼.{0,4}(黑|摸黑)'],
  ['light.street', '路灯|路.{0,2}灯|庭院灯|照明灯|院.{0,3}灯|(门|路|段|院子|广场|出入口|外面).{0,8}(黑灯瞎火|黑漆漆|黑乎乎|照明|看不见|太黑|漆黑)'],
  ['light', '灯.{0,3}(不亮|坏|黑|暗)|黑漆漆|黑灯瞎火|太黑|黑乎乎|照明|伸手不见五指|摸黑'],
  ['access.gate', '(侧门|东门|西门|南门|北门|小门|后门|西侧.{0,2}门|东侧.{0,2}门|南侧.{0,2}门|北侧.{0,2}门).{0,10}(关|锁|封|开|绕)|门.{0,6}(封了|封闭|重新打开|晚点关|早点开)|绕.{0,4}(一大圈|很远|太远|远路)'],
  ['door', '电子门|常开|门禁|单元门|防盗门|楼门|铁门|大门.{0,4}(坏|锁|关不)|闭门器|门锁|对讲|刷卡'],
  ['window', '窗户|玻璃.{0,4}(碎|破|坏)|窗.{0,3}(坏|碎|掉)'],
  ['stairs', '扶手|楼梯.{0,4}(坏|破|松|滑)|台阶|坡道|无障碍'],
  ['wall', '墙皮|外墙|墙面.{0,4}(脱落|掉)|掉皮|脱落|空鼓|墙体.{0,3}裂|裂缝|危房'],
  ['roof', '屋顶|楼顶|顶楼|屋面'],
  ['mailbox', '信报箱|信箱|奶箱|报箱|报纸'],
  ['clothesline', '晾衣|晒被|晾晒'],

  // ---- order in corridors and yards ----
  ['clutter', '杂物|堆放|堆满|堆物|乱堆|乱放|纸箱|旧家具|破家具|旧沙发|床垫|废品|占用楼道|楼道.{0,4}(堆|占|放)|堆.{0,4}楼道|过道.{0,3}(堵|占)'],
  ['ev', '充电|飞线|拉电线|拉线|扯线|吊.{0,4}线|线.{0,4}吊|私拉|乱接|插线板|接线板|电线.{0,6}(电动车|电瓶车|电车)|(回家|家里|屋里|上楼).{0,2}充|拎.{0,6}充'],
  ['fire', '消防栓|灭火器|烟感|防火门|消防设施|着火|失火|火灾|消防演练|逃生'],
  ['falling', '高空抛物|往下扔|往楼下|抛物|坠物|掉下来|砸到|砸人|乱扔东西|从楼上扔'],
  ['illegal_build', '违建|私搭|乱搭|彩钢房|铁皮房|搭棚|棚子|圈地|占地|扩建|往外扩|盖了.{0,4}(房|屋|棚)|加盖'],
  ['green.occupied', '菜园|圈起来|圈占|开垦|刨了|种菜|毁绿|菜地|种葱|种蒜|开荒'],

  // ---- cars and roads ----
  ['gate', '道闸|车牌识别|识别.{0,4}车牌|抬杆|栏杆.{0,6}(抬|识别)'],
  ['parking.abandoned', '僵尸车|废弃车|报废车|破车|旧车|无主车|没牌|无牌|车.{0,10}(没动|不动|落满灰|瘪|没气|大半年|好几年|没人开)|面包车'],
  ['parking', '存车处|停车|停满|停.{0,3}车|地库|地下室|负一层|地下一层|b1|b2|车位|乱停|停放|占车位|占位|违停|僵尸车|地锁|停车场|车库|外来车辆|车辆.{0,6}(进|停|堵|乱)|车.{0,2}停|私家车|汽车.{0,4}(停|占)|道闸|车多|地方停|没处停|找不到.{0,4}停|消防车|救火车|消防通道.{0,6}车|车.{0,8}消防通道|车.{0,6}通道|外面的车|外来车|车.{0,4}开进来|横七竖八'],
  ['bicycle', '共享单车|单车|车棚|电动车|电瓶车|电动自行车|电车|三轮车'],
  ['road.works', '停工|施工.{0,6}(拖|慢|停|不见|没人|半截)|挖开|挖了.{0,4}(没|不)|围挡|改造.{0,6}(拖|慢|停|没完|好久)|修了一半|烂尾|工期'],
  ['road', '路面|坑洼|坑坑洼洼|大坑|路.{0,3}(坏|烂|破)|修路|铺路|破损|(?<!水)坑|塌陷|地砖'],
  ['manhole', '井盖|窨井'],
  ['flood.rain', '雨.{0,12}(积|淹|成河|水深|蹚|湿透|退不|排不|下不去|水塘|水坑)|(积水|淹|成河|蹚).{0,12}雨'],
  ['flood', '排水泵|集水井|积水|水塘|水坑|一汪|进水|水没过|没过脚|蹚水|淹|排水不畅|排不出|泡水|下.{0,2}雨.{0,8}(积|淹|河|水深|蹚|湿透)|成了河|成河|雨水.{0,4}(排|积|倒灌)|倒灌|地势低'],
  ['traffic', '人行横道|过街|车开得飞快|飞快|红绿灯|信号灯|斑马线|减速带|过马路|车速|限速|堵车|拥堵|车开得快'],

  // ---- cleanliness ----
  ['garbage.construction', '装修垃圾|建筑垃圾|碎砖|水泥袋|渣土|建渣|砖头'],
  ['garbage.sorting', '定时投放|投放点|投放时间|定时定点|撤桶|垃圾分类|分类投放|混投|督导|怎么分|不会分|分类.{0,4}(宣传|讲|桶)|厨余'],
  ['garbage.bin', '(桶|垃圾箱).{0,4}(没盖|盖子|盖儿|破|坏|烂)|桶盖'],
  ['garbage.collection', '清运|没人拉|没人收|(垃圾桶|垃圾箱).{0,6}(满|溢|少|不够)|溢出|多收|收一次|没拉|两天没|几天没|垃圾站|垃圾房|中转站|垃圾.{0,6}(满|堆|没人清|不及时|好几天)'],
  ['garbage', '垃圾|垃圾桶|垃圾箱|清扫|保洁|打扫|脏乱|卫生死角'],
  ['smell', '臭|异味|味道大|味道很大|气味|返味|熏'],
  ['pests', '喷药|蚊|叮.{0,6}包|咬.{0,4}包|老鼠|蟑螂|小强|灭蟑|蚊子|蚊虫|苍蝇|蚊蝇|跳蚤|消杀|灭鼠|打药|杀虫|除四害|白蚁|虫子'],
  // One problem, as the dev set has it: leashes, mess and barking are all 文明养犬.
  ['dog', '狗|犬|遛狗|拴绳|养犬|宠物|粪便|捡.{0,3}(屎|粪)'],
  ['poultry', '鸡窝|家禽|养鸡|鸡鸭|公鸡|打鸣|鸡叫|养鸭'],
  ['cat', '流浪猫|野猫|猫'],
  ['ads', '贴纸|贴满|通下水|小广告|牛皮癣|乱贴|涂鸦|乱画|开锁电话|办证电话|喷.{0,6}电话|刷了好几层'],
  ['dust', '扬尘|灰尘|积灰|烟尘'],
  ['flue', '烟道|串味|反味|油烟.{0,6}(串|倒灌|进)|抽油烟机'],
  ['fume', '油烟|孜然|烟熏火燎|烟熏|净化器|烧烤.{0,6}烟'],
  ['group_rent', '群租|隔成|改成.{0,4}(单间|小间)|地下室住|住了十几个人|往外租|出租'],
  ['toilet', '公厕|公共厕所|公共卫生间|旱厕|厕所|蹲坑|茅房'],
  ['ditch', '河水|河沟|泔水|发黑发臭|臭水沟|排水沟|水沟|河道|河沟|明沟|清淤'],
  ['recycling', '废品站|收破烂|收废品|废品收购|破烂|纸壳'],

  // ---- greenery and public space ----
  ['tree.catkin', '杨絮|柳絮|飞絮|毛毛|梧桐毛|法桐.{0,6}(毛|絮)'],
  ['tree', '树|修剪|剪枝|枝|遮挡阳光|挡光|挡阳光|挡住阳光|采光|落叶'],
  ['green', '绿化|绿地|草坪|草地|花坛|花池|绿植|补种|杂草|除草|荒地|口袋公园|小游园|小花园'],
  ['fitness', '健身器材|健身器|器材|器械|扭腰|单杠|双杠|漫步机|健身路径|运动器械'],
  ['playground', '滑梯|秋千|游乐|儿童.{0,3}(乐园|游乐|玩)|玩耍的地方|沙池'],
  ['bench', '座椅|椅子|长椅|凳子|石凳|休息的地方|坐一坐|歇脚|凉亭|廊架'],
  ['square', '广场(?!舞)|空地.{0,4}(利用|闲置)|闲置'],

  // ---- noise ----
  ['noise.dance', '广场舞|跳舞|音响|音箱|喇叭|大喇叭|音乐|外放|唱歌|放歌|k歌|卡拉ok|大妈.{0,6}(跳|歌|舞)'],
  ['noise.renovation', '装修(?!垃圾)|电钻|打钻|钻墙|砸墙|打孔|施工.{0,4}(吵|噪|早|晚)|切割|叮叮|咣咣|改水电'],
  ['noise.business', '棋牌室|麻将|搓麻|打牌|洗牌|烤串|撸串|吃串|串店|宵夜|夜宵|喝酒|嚷嚷|烧烤|夜市|大排档|酒吧|饭店|饭馆|店铺|商铺|门面|划拳|ktv'],
  ['noise.neighbour', '楼上.{0,6}(跑|跳|拖|吵)|跑跳|拖椅子|狗叫|半夜.{0,4}(吵|响)'],
  ['noise.truck', '(垃圾车|清运车|收垃圾|倒桶|运垃圾|环卫车|洒水车).{0,12}(吵|响|动静|早|天不亮|哐|叮当)|(吵|动静).{0,10}(垃圾车|清运车|环卫车|洒水车)'],
  ['noise.site', '工地|打桩|渣土车|夜间施工|半夜施工|搅拌机'],
  ['noise.funeral', '灵棚|白事|哀乐|丧事|吹吹打打|红白喜事'],
  ['noise', '动静.{0,3}大|噪音|噪声|吵|扰民|影响休息|睡不着|没法睡|睡觉'],
  ['vendor', '小贩|摊点|卖水果.{0,4}摊|水果摊|小推车|推车|卖早点|早点摊|煎饼|占道|人行道.{0,6}(摆|堆|占|放|仓库)|(摆|堆|占|放).{0,6}人行道|出店经营|店外经营|门脸|摆摊|流动摊|小摊|摊贩|地摊|出摊|摊子|早市|卖菜的|菜贩|摆到路'],

  // ---- safety and order ----
  ['security', '监控|摄像头|探头|门卫|门岗|保安|巡逻|陌生人|外来人员|治安|盗窃|被偷|小偷|撬|丢了'],
  ['fraud', '发鸡蛋|药丸|养老诈骗|听讲座|诈骗|反诈|骗子|被骗|保健品|推销'],
  ['dispute', '纠纷|矛盾|吵架|打架|调解|争执'],
  ['smoking', '抽烟|吸烟|烟味|烟头'],
  ['drip', '空调外机|空调.{0,6}(滴|漏|流|水)|冷凝水'],

  // ---- property ----
  ['property.fee', '物业费|涨价|乱收费|收费标准|一平米|每平米|(贵|涨).{0,6}物业|物业.{0,6}(贵|涨)'],
  ['property.fund', '账本|收支|明细|公开账|钱花哪|花哪了|维修基金|维修资金|公共收益|业主大会|三分之二|账目|公示收支'],
  ['property.service', '不作为|推诿|推来推去|啥事都推|不归.{0,4}管|不负责|不干活|不管事|报修.{0,8}(没人|不来|不管)|态度差|服务差|光收钱'],
  ['property.company', '撤场|无物业|换物业|选聘|新物业|无主管|自管会|业委会|业主委员会'],
  ['property', '物业|收费'],

  // ---- services for people ----
  ['elderly.meal', '饭堂|吃口热|食堂|助餐|餐厅|吃饭|送餐|饭菜|做饭.{0,6}(做不动|吃力|难|费劲|不方便|麻烦|做不了|累|不动)|做不动饭|不会做饭|配餐|午餐|餐点|一顿饭|热乎饭|吃上饭|三餐|餐桌|饭桌'],
  ['elderly.alone', '独居|空巢|孤寡|一个人住|没人照顾|无人照顾|身边没人|子女不在|儿女不在|一个人在家|探望|陪伴|上门看望|照看老人|帮忙买菜|代买'],
  ['elderly.care', '日托|日间|白天.{0,10}(照看|托管|待着|去处)|托管老人|照看老人|日间照料|养老|护理|护工|失能|助浴|居家养老|托老|陪诊|一键呼叫|适老化'],
  ['health', '(请|叫).{0,4}(大夫|医生).{0,4}(到家|上门)|上门.{0,4}(看病|诊疗|医疗)|卧床|瘫在床|大夫|义诊|量血压|体检|家庭医生|医生|看病|慢性病|卫生站|卫生服务|测血糖|送药|买药|拿药|药品|药店|诊所|健康讲座|疫苗'],
  ['childcare', '暑期托管|托管班|暑假.{0,12}(在家|没人|托管|办个班|看孩子)|四点半|托管|放学|课后|看管|没人管|接孩子|托育|辅导作业|写作业|作业'],
  ['kids', '儿童之家|亲子|绘本|少儿|暑假|寒假|夏令营'],
  ['education', '学校|幼儿园|入园|入学|学区'],
  ['culture.class', '兴趣班|书法|绘画|画画|太极|瑜伽|八段锦|健身操|编程|英语|培训班|课堂|讲座|教学|学.{0,2}(课|班)'],
  ['culture.event', '运动会|联欢|晚会|春晚|比赛|包饺子|百家宴|文化节|美食节|元宵|中秋|春节|过年|端午|重阳|演出|电影|游园'],
  ['culture.team', '秧歌|舞蹈队|乐队|合唱|戏曲|豫剧|队伍|兴趣小组|群'],
  ['culture.venue', '活动室|活动中心|阅览室|图书室|书屋|场地|开放时间|健身房|乒乓球台|球场|篮球场'],
  ['culture', '文艺|文体|活动|读书|棋|乒乓|篮球|羽毛球'],
  ['digital', '智能手机|手机支付|微信|挂号|网上办|扫码|视频通话'],
  ['elderly.safety', '防走失|走失|摔倒|跌倒|手环|监测|一键呼叫|夜灯'],
  ['elderly.school', '老年大学'],
  ['railing', '扶手.{0,6}(晃|松|摇|断|坏)|(栏杆|扶手).{0,4}(松|晃|摇)|围栏|护栏|栏杆|隔离栏|围墙.{0,4}(洞|倒|塌)'],
  ['canopy', '车棚.{0,4}(顶|漏|破)|顶棚|雨棚|遮雨棚|雨搭'],
  ['wire', '电线.{0,10}(几十年|老化|拉的)|跳闸|架空线|电线.{0,8}(裸露|垂|乱|低|老化|蜘蛛网|耷拉)|线.{0,4}(垂|耷拉)|蜘蛛网|裸露.{0,4}电线|电线杆|线缆|蜘蛛网.{0,2}线'],
  ['road.narrow', '会车|单向|路.{0,2}窄|人车分流|人车混行'],
  ['beautify', '美化|花箱|文化墙|景观|彩绘|墙绘|微景观|刷漆|花墙|爬藤'],
  ['pigeon', '鸽子|鸽'],
  ['hornet', '马蜂|蜂窝|黄蜂'],
  ['legal', '律师|法律|普法|维权|法律咨询'],
  ['psych', '心理'],
  ['volunteer', '志愿|义工|党员.{0,4}(服务|帮)'],
  ['disability', '残疾|残障|智障|智力.{0,2}残|庇护|盲人|看不见'],
  ['tactile', '盲道'],
  ['jobs', '就业|找工作|招聘|培训|失业|技能'],
  ['pension', '认证|养老金|退休金|人脸识别'],
  ['welfare', '低保|救助|补贴|困难户|临时救助|高龄津贴'],
  ['paperwork', '办证|证明|手续|户口|社保|医保|居住证|身份证|盖章|办理'],
  ['express', '快递|驿站|快递柜|丰巢|取件|菜鸟|包裹|快件'],
  ['shopping', '菜店|农贸市场|售菜车|卖菜车|平价菜|买把青菜|买.{0,2}菜|菜市场|买菜|菜店|卖菜|超市|便利店|早餐'],
  ['network', '信号|宽带|网络|基站|wifi'],
  ['barrier_free', '无障碍|轮椅|坡道'],
  ['haircut', '理发|剪头'],
  ['repair_service', '修鞋|修伞|磨剪子|维修服务|便民维修|家电维修'],
  ['bus', '车站|\\d+路|坐个车|站点|班车|地铁|站牌|坐车|公交站|线路'],
];

/**
 * Pairs of concepts that a text often names together although only one of them is the problem, with the one
 * that wins: 电动车充电 in a 车棚 is about charging (ev), not bicycles; 吃饭 of 独居老人 is about meals.
 */
/** Kinds that win conflicts as kinds (a rain flood beats a drain) but are the same problem as their family. */
export const SAME_AS_FAMILY: ReadonlySet<string> = new Set(['flood.rain']);

export const PREFERRED: ReadonlyArray<readonly [winner: string, loser: string]> = [
  ['ev', 'bicycle'], ['ev', 'parking'],
  // A defect in a garage or car park is about the defect, not parking.
  ['leak', 'parking'], ['light', 'parking'], ['flood', 'parking'], ['flood.rain', 'parking'], ['flood.rain', 'water.sewer'],
  ['leak', 'heating'], ['leak.pipe', 'heating'], ['leak.upstairs', 'leak.roof'], ['road.works', 'noise.renovation'], ['road.works', 'road.narrow'],
  ['noise.truck', 'garbage.collection'],
  ['garbage.bin', 'garbage.sorting'],
  ['fume', 'noise.business'], ['fume', 'noise'], ['fume', 'smell'], ['fume', 'vendor'], ['fume', 'flue'], ['canopy', 'leak'], ['canopy', 'leak.roof'], ['canopy', 'bicycle'],
  ['vendor', 'shopping'], ['group_rent', 'clutter'], ['group_rent', 'bicycle'], ['group_rent', 'noise'], ['group_rent', 'dispute'], ['tactile', 'bicycle'], ['tactile', 'disability'], ['tactile', 'parking'],
  ['disability', 'jobs'], ['disability', 'welfare'], ['fraud', 'health'], ['fraud', 'culture.class'], ['ditch', 'green'], ['health', 'elderly.alone'],
  ['elevator.install', 'stairs'], ['elderly.care', 'elderly.alone'], ['elderly.care', 'health'], ['childcare', 'culture.class'], ['wire', 'fire'], ['group_rent', 'fire'], ['group_rent', 'parking'], ['group_rent', 'ev'], ['group_rent', 'wire'],
  ['pests', 'green'], ['poultry', 'green'], ['poultry', 'green.occupied'], ['access.gate', 'door'], ['access.gate', 'security'], ['garbage.bin', 'garbage.collection'], ['ditch', 'water.sewer'], ['ditch', 'flood'], ['ditch', 'smell'],
  ['elevator.install', 'elevator.repair'], ['leak.upstairs', 'toilet'], ['heating.cost', 'welfare'], ['heating.cost', 'power'], ['wire', 'ev'],
  ['falling', 'security'], ['ads', 'water.sewer'], ['ads', 'paperwork'],
  ['noise.site', 'noise.renovation'], ['noise.site', 'noise'], ['noise.site', 'garbage.construction'], ['gate', 'parking'], ['gate', 'railing'],
  ['recycling', 'clutter'], ['recycling', 'fire'], ['recycling', 'garbage'], ['recycling', 'smell'], ['recycling', 'pests'],
  ['pension', 'digital'], ['pension', 'elderly.care'], ['noise.funeral', 'illegal_build'], ['noise.funeral', 'noise'],
  ['poultry', 'noise'], ['poultry', 'illegal_build'], ['poultry', 'smell'], ['property.fund', 'property.fee'], ['noise.truck', 'garbage'], ['noise.truck', 'noise'], ['vendor', 'road.narrow'], ['leak', 'bicycle'], ['leak.roof', 'bicycle'], ['bus', 'traffic'], ['water.sewer', 'flood'], ['water.sewer', 'water'], ['water.outage', 'water'], ['water.pressure', 'water'], ['garbage.construction', 'green'], ['garbage.construction', 'clutter'], ['vendor', 'traffic'], ['vendor', 'parking'], ['ev', 'fire'], ['ev', 'power'],
  ['elderly.meal', 'elderly.alone'], ['elderly.meal', 'shopping'],
  ['noise.dance', 'square'], ['noise.dance', 'culture'], ['noise.renovation', 'noise'], ['noise.dance', 'noise'],
  ['noise.business', 'noise'], ['noise.neighbour', 'noise'],
   ['water.sewer', 'smell'], ['garbage', 'smell'], ['garbage', 'pests'],
  ['dog', 'garbage'], ['dog', 'noise.neighbour'], ['dog', 'noise'], ['cat', 'garbage'], ['childcare', 'education'], ['childcare', 'kids'],
  ['manhole', 'road'], ['fitness', 'square'], ['playground', 'square'], ['bench', 'square'],
  ['clutter', 'fire'], ['clutter', 'garbage'], ['light.street', 'light'], ['light.corridor', 'light'], ['elevator', 'stairs'],
  ['green.occupied', 'green'], ['tree', 'green'], ['elderly.alone', 'shopping'], ['vendor', 'noise.business'],
  ['parking', 'traffic'], ['health', 'elderly.care'], ['express', 'shopping'],
  ['pests', 'health'], ['culture.venue', 'culture.class'], ['elderly.school', 'culture.class'], ['legal', 'culture.class'], ['psych', 'culture.class'],
  ['health', 'culture.class'], ['fitness', 'culture.venue'], ['noise.dance', 'culture.team'], ['elderly.safety', 'light'], ['railing', 'stairs'],
  ['wire', 'power'], ['pigeon', 'noise'], ['digital', 'elderly.care'],
  ['leak.roof', 'leak'], ['leak.upstairs', 'leak'], ['leak.pipe', 'leak'], ['leak.roof', 'wall'], ['leak.roof', 'roof'], ['leak', 'wall'], ['leak', 'roof'],
  ['falling', 'smoking'], ['flue', 'smell'], ['flue', 'elderly.meal'], ['drip', 'leak'], ['leak.upstairs', 'dispute'],
  ['shopping', 'elderly.meal'], ['security', 'parking'], ['ev', 'security'],
];

"""Closed word classes: pronouns, numbers, times, adverbs, locatives, transport, set phrases."""

# (subject, object, possessive, chinese, person key for agreement)
PRONOUNS: list[tuple[str, str, str, str, str]] = [
    ("i", "me", "my", "我", "1s"), ("you", "you", "your", "你", "2"),
    ("he", "him", "his", "他", "3s"), ("she", "her", "her", "她", "3s"),
    ("we", "us", "our", "我们", "p"), ("they", "them", "their", "他们", "p"),
]

DIGITS = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
         "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
         "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_en(n: int) -> str:
    """English words for 0 <= n < 100 ("twenty-one")."""
    if n < 20:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] + ("-" + UNITS[unit] if unit else "")


def number_zh(n: int, before_measure: bool = False) -> str:
    """Chinese numeral for 0 <= n < 100; 2 before a measure word is 两."""
    if n == 0:
        return "零"
    if n == 2 and before_measure:
        return "两"
    if n < 10:
        return DIGITS[n]
    tens, unit = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[unit] if unit else "")


# Time expressions: (english, chinese words, english word index each chinese word links to)
PAST_TIMES = [
    ("yesterday", "昨天", "0"), ("last night", "昨天 晚上", "0 1"),
    ("this morning", "今天 早上", "0 1"), ("last week", "上周", "1"),
    ("last month", "上个月", "1"), ("last year", "去年", "1"),
    ("yesterday morning", "昨天 早上", "0 1"), ("yesterday afternoon", "昨天 下午", "0 1"),
    ("two days ago", "两 天 前", "0 1 2"), ("three days ago", "三 天 前", "0 1 2"),
    ("a week ago", "一 周 前", "0 1 2"), ("last Sunday", "上 星期天", "0 1"),
    ("last Saturday", "上 星期六", "0 1"), ("on Monday", "星期一", "1"),
    ("last summer", "去年 夏天", "0 1"), ("just now", "刚才", "1"),
]
FUTURE_TIMES = [
    ("tomorrow", "明天", "0"), ("next week", "下周", "1"), ("next month", "下个月", "1"),
    ("next year", "明年", "1"), ("tonight", "今天 晚上", "0 0"),
    ("tomorrow morning", "明天 早上", "0 1"), ("tomorrow afternoon", "明天 下午", "0 1"),
    ("this weekend", "这个 周末", "0 1"), ("next Monday", "下 星期一", "0 1"),
    ("on Friday", "星期五", "1"), ("on Saturday", "星期六", "1"), ("soon", "很快", "0"),
    ("this afternoon", "今天 下午", "0 1"), ("this evening", "今天 晚上", "0 1"),
    ("later", "等一会儿", "0"),
]
HABIT_TIMES = [
    ("every day", "每 天", "0 1"), ("every morning", "每天 早上", "0 1"),
    ("every night", "每天 晚上", "0 1"), ("every week", "每 周", "0 1"),
    ("on weekends", "周末", "1"), ("in the morning", "早上", "2"),
    ("in the afternoon", "下午", "2"), ("in the evening", "晚上", "2"),
    ("at night", "晚上", "1"), ("on Sundays", "星期天", "1"), ("in summer", "夏天", "1"),
    ("in winter", "冬天", "1"), ("after school", "放学 后", "1 0"),
    ("after dinner", "晚饭 后", "1 0"),
]
NOW_TIMES = [("now", "现在", "0"), ("right now", "现在", "1")]
TODAY = [("today", "今天", "0")]
# (english, chinese) frequency adverbs: English before the verb, Chinese before the verb
FREQUENCY = [("always", "总是"), ("usually", "通常"), ("often", "经常"),
             ("sometimes", "有时候"), ("never", "从来不")]
DAYS = [("Monday", "星期一"), ("Tuesday", "星期二"), ("Wednesday", "星期三"),
        ("Thursday", "星期四"), ("Friday", "星期五"), ("Saturday", "星期六"),
        ("Sunday", "星期天")]
MONTHS = [("January", "一月"), ("February", "二月"), ("March", "三月"), ("April", "四月"),
          ("May", "五月"), ("June", "六月"), ("July", "七月"), ("August", "八月"),
          ("September", "九月"), ("October", "十月"), ("November", "十一月"),
          ("December", "十二月")]
SEASONS = [("spring", "春天"), ("summer", "夏天"), ("autumn", "秋天"), ("winter", "冬天")]

# Locative prepositions: (english, chinese postposition after the noun)
LOCATIVES = [("on", "上"), ("in", "里"), ("under", "下面"), ("near", "附近"),
             ("behind", "后面"), ("next to", "旁边"), ("in front of", "前面")]
# Transport: (english after the verb phrase, chinese verb phrase before the verb, links)
TRANSPORT = [("by bus", "坐 公共汽车", "0-0 1-1"), ("by car", "开车", "1-0"),
             ("by bike", "骑 自行车", "0-0 1-1"), ("by train", "坐 火车", "0-0 1-1"),
             ("by plane", "坐 飞机", "0-0 1-1"), ("by taxi", "坐 出租车", "0-0 1-1"),
             ("by subway", "坐 地铁", "0-0 1-1"), ("on foot", "走路", "1-0")]
# Degree words before a predicate adjective: (english, chinese)
DEGREE = [("very", "很"), ("very", "非常"), ("really", "真"), ("so", "这么"),
          ("quite", "挺")]

# Greetings and set phrases: (english tokens, chinese words, links "i-j").
# The final mark is a token of its own so that casual typing can drop it.
SET_PHRASES = [
    ("hello !", "你好 ！", "0-0 1-1"), ("hi !", "你好 ！", "0-0 1-1"),
    ("hello .", "你好 。", "0-0 1-1"),
    ("good morning !", "早上好 ！", "1-0 2-1"), ("good morning .", "早上好 。", "1-0 2-1"),
    ("good afternoon !", "下午好 ！", "1-0 2-1"), ("good evening !", "晚上好 ！", "1-0 2-1"),
    ("good night .", "晚安 。", "1-0 2-1"), ("good night !", "晚安 ！", "1-0 2-1"),
    ("goodbye !", "再见 ！", "0-0 1-1"), ("goodbye .", "再见 。", "0-0 1-1"),
    ("bye !", "再见 ！", "0-0 1-1"),
    ("see you tomorrow !", "明天 见 ！", "2-0 0-1 3-2"),
    ("see you later !", "一会儿 见 ！", "2-0 0-1 3-2"),
    ("see you next week .", "下周 见 。", "3-0 0-1 4-2"),
    ("see you soon !", "回头 见 ！", "2-0 0-1 3-2"),
    ("thank you .", "谢谢 你 。", "0-0 1-1 2-2"), ("thank you !", "谢谢 你 ！", "0-0 1-1 2-2"),
    ("thanks !", "谢谢 ！", "0-0 1-1"), ("thanks a lot !", "多谢 ！", "2-0 3-1"),
    ("thank you very much .", "非常 感谢 。", "2-0 0-1 4-2"),
    ("thank you very much !", "非常 感谢 ！", "2-0 0-1 4-2"),
    ("you are welcome .", "不 客气 。", "2-0 2-1 3-2"),
    ("i am sorry .", "对不起 。", "2-0 3-1"), ("sorry !", "对不起 ！", "0-0 1-1"),
    ("i am very sorry .", "非常 抱歉 。", "2-0 3-1 4-2"),
    ("excuse me .", "打扰 一下 。", "0-0 1-1 2-2"), ("excuse me ?", "打扰 一下 ？", "0-0 1-1 2-2"),
    ("how are you ?", "你 好 吗 ？", "2-0 0-1 1-2 3-3"),
    ("how are you today ?", "你 今天 好 吗 ？", "2-0 3-1 0-2 1-3 4-4"),
    ("i am fine , thank you .", "我 很 好 ， 谢谢 。", "0-0 1-1 2-2 3-3 4-4 6-5"),
    ("i am fine .", "我 很 好 。", "0-0 1-1 2-2 3-3"),
    ("i am ok .", "我 还 好 。", "0-0 1-1 2-2 3-3"),
    ("and you ?", "你 呢 ？", "1-0 0-1 2-2"),
    ("nice to meet you .", "很 高兴 认识 你 。", "0-0 0-1 2-2 3-3 4-4"),
    ("nice to meet you !", "很 高兴 认识 你 ！", "0-0 0-1 2-2 3-3 4-4"),
    ("nice to meet you too .", "我 也 很 高兴 认识 你 。", "3-0 4-1 0-2 0-3 2-4 3-5 5-6"),
    ("happy birthday !", "生日 快乐 ！", "1-0 0-1 2-2"),
    ("happy new year !", "新年 快乐 ！", "2-0 0-1 3-2"),
    ("merry Christmas !", "圣诞 快乐 ！", "1-0 0-1 2-2"),
    ("good luck !", "祝 你 好运 ！", "0-0 0-1 1-2 2-3"),
    ("have a nice day !", "祝 你 今天 愉快 ！", "0-0 0-1 3-2 2-3 4-4"),
    ("welcome !", "欢迎 ！", "0-0 1-1"),
    ("welcome to China !", "欢迎 来到 中国 ！", "0-0 1-1 2-2 3-3"),
    ("welcome to my home !", "欢迎 来 我 家 ！", "0-0 1-1 2-2 3-3 4-4"),
    ("no problem .", "没 问题 。", "0-0 1-1 2-2"), ("of course .", "当然 。", "1-0 2-1"),
    ("of course !", "当然 ！", "1-0 2-1"),
    ("yes .", "是 的 。", "0-0 0-1 1-2"), ("no .", "不 。", "0-0 1-1"),
    ("ok .", "好 的 。", "0-0 0-1 1-2"), ("okay !", "好 的 ！", "0-0 0-1 1-2"),
    ("i do not know .", "我 不 知道 。", "0-0 2-1 3-2 4-3"),
    ("i know .", "我 知道 。", "0-0 1-1 2-2"),
    ("i understand .", "我 明白 了 。", "0-0 1-1 1-2 2-3"),
    ("i do not understand .", "我 不 明白 。", "0-0 2-1 3-2 4-3"),
    ("what is your name ?", "你 叫 什么 名字 ？", "2-0 1-1 0-2 3-3 4-4"),
    ("how old are you ?", "你 几 岁 ？", "3-0 0-1 1-2 4-3"),
    ("where are you from ?", "你 来自 哪里 ？", "2-0 3-1 0-2 4-3"),
    ("what time is it ?", "现在 几 点 ？", "3-0 0-1 1-2 4-3"),
    ("what day is it today ?", "今天 星期 几 ？", "4-0 1-1 0-2 5-3"),
    ("how much is it ?", "多少 钱 ？", "0-0 1-1 4-2"),
    ("how much is this ?", "这个 多少 钱 ？", "3-0 0-1 1-2 4-3"),
    ("what is this ?", "这 是 什么 ？", "2-0 1-1 0-2 3-3"),
    ("what is that ?", "那 是 什么 ？", "2-0 1-1 0-2 3-3"),
    ("who is that ?", "那 是 谁 ？", "2-0 1-1 0-2 3-3"),
    ("what happened ?", "发生 了 什么 ？", "1-0 1-1 0-2 2-3"),
    ("are you ok ?", "你 还 好 吗 ？", "1-0 2-1 2-2 0-3 3-4"),
    ("help !", "救命 ！", "0-0 1-1"), ("be careful !", "小心 ！", "1-0 2-1"),
    ("wait a moment .", "等 一下 。", "0-0 2-1 3-2"), ("come in !", "请 进 ！", "1-0 0-1 2-2"),
    ("sit down , please .", "请 坐 。", "3-0 0-1 4-2"),
    ("let us go !", "我们 走 吧 ！", "1-0 2-1 0-2 3-3"),
    ("hurry up !", "快 点 ！", "0-0 1-1 2-2"), ("me too .", "我 也 是 。", "0-0 1-1 1-2 2-3"),
    ("i love you .", "我 爱 你 。", "0-0 1-1 2-2 3-3"),
    ("i love you !", "我 爱 你 ！", "0-0 1-1 2-2 3-3"),
    ("i miss you .", "我 想 你 。", "0-0 1-1 2-2 3-3"),
    ("i like it .", "我 喜欢 它 。", "0-0 1-1 2-2 3-3"),
    ("it does not matter .", "没 关系 。", "2-0 3-1 4-2"),
    ("that is great !", "太 好 了 ！", "2-0 2-1 2-2 3-3"),
    ("that is right .", "对 。", "2-0 3-1"), ("you are right .", "你 说 得 对 。",
                                                "0-0 1-1 1-2 2-3 3-4"),
    ("i am hungry .", "我 饿 了 。", "0-0 2-1 1-2 3-3"),
    ("cheers !", "干杯 ！", "0-0 1-1"), ("congratulations !", "恭喜 ！", "0-0 1-1"),
    ("good job !", "干 得 好 ！", "1-0 1-1 0-2 2-3"),
    ("please help me .", "请 帮 我 。", "0-0 1-1 2-2 3-3"),
    ("can you help me ?", "你 能 帮 我 吗 ？", "1-0 0-1 2-2 3-3 0-4 4-5"),
    ("i have a question .", "我 有 一个 问题 。", "0-0 1-1 2-2 3-3 4-4"),
    ("do not worry .", "别 担心 。", "1-0 2-1 3-2"),
    ("do not worry !", "别 担心 ！", "1-0 2-1 3-2"),
    ("do not be afraid .", "别 害怕 。", "1-0 3-1 4-2"),
    ("do not cry .", "别 哭 。", "1-0 2-1 3-2"),
    ("i do not feel well .", "我 感觉 不 舒服 。", "0-0 3-1 2-2 4-3 5-4"),
    ("i am not feeling well .", "我 感觉 不 舒服 。", "0-0 3-1 2-2 4-3 5-4"),
    ("i can not sleep .", "我 睡 不 着 。", "0-0 3-1 2-2 3-3 4-4"),
    ("i am bored .", "我 很 无聊 。", "0-0 1-1 2-2 3-3"),
    ("see you !", "再见 ！", "0-0 2-1"), ("take care !", "保重 ！", "0-0 2-1"),
    ("come here !", "过来 ！", "0-0 1-1"), ("i am here .", "我 在 这里 。", "0-0 1-1 2-2 3-3"),
    ("over here !", "在 这里 ！", "0-0 1-1 2-2"), ("it is over there .", "在 那里 。",
                                                 "1-0 3-1 4-2"),
    ("hello , everyone !", "大家 好 ！", "2-0 0-1 3-2"),
    ("good morning , everyone .", "大家 早上好 。", "3-0 1-1 4-2"),
    ("which one ?", "哪 一个 ？", "0-0 1-1 2-2"), ("tea or coffee ?", "茶 还是 咖啡 ？",
                                                  "0-0 1-1 2-2 3-3"),
    ("how do you say this in Chinese ?", "这个 用 中文 怎么 说 ？",
     "4-0 5-1 6-2 0-3 3-4 7-5"),
]

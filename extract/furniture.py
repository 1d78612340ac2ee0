"""Which lines are page furniture: the one owner of that decision for every reader.

Furniture is what the site wraps around every document — navigation bars, date and weather
widgets, login links, breadcrumbs, toolbars (打印 关闭 字体), share buttons, view counters,
related-link headings, footers. A furniture line is dropped from the body *on its own*: it
never ends the body or drops the lines after it (issue 11: a report whose header had
``• 日期: • 来源: • 浏览次数: • 字体:[ ]`` lines lost its whole body that way).

Conservative by design: whole-line patterns, and footer/navigation words only on short lines
without sentence punctuation. When in doubt, a line is not furniture and stays in the body.
"""

from __future__ import annotations

import re

from extract.metadata import _nfkc, clean_line

_ACTION_TOKEN = (
    r"(?:打印(?:本页|此页|此文|文章|正文)?|关闭(?:本页|窗口|本窗口|页面)?|返回(?:顶部|首页|列表)?|"
    r"收藏(?:本页)?|加入收藏|保存(?:本页)?|我要纠错|纠错|挑错|推荐|发表评论|评论|分享|搜索|"
    r"字体|大|中|小|默认|扫一扫|"
    r"放大|缩小|[Tt]op)"
)
# 【打印】 【 扫一扫 】, • 字体【      】 (an emptied size switch), 打印 | 关闭.
_ACTION_LINE = re.compile(
    rf"^[•·●▪■◆\s]*(?:[【\[［(（]?\s*{_ACTION_TOKEN}\s*[】\]］)）]?(?:\s*[【\[［]\s*[】\]］])?"
    rf"[\s|｜/·•、,，:：]*){{1,8}}$"
)
_CHROME_PATTERNS: list[re.Pattern[str]] = [
    re.compile(r"^Produced\s+By\b", re.IGNORECASE),
    re.compile(r"^Powered\s+By\b", re.IGNORECASE),
    re.compile(r"^(?:手机)?扫一扫"),
    re.compile(r"扫一扫在手机(?:上)?打开当前页"),
    re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上一页|下一页)\s*[:：]?"),
    re.compile(r"^[【\[［]?\s*字[体号](?:大小)?\s*[:：]"),
    re.compile(r"^[【\[［]?\s*字[体号](?:大小)?\s*[】\]］]?$"),
    re.compile(r"[【\[［]\s*大\s*[|｜]?\s*中\s*[|｜]?\s*小\s*[】\]］]"),
    re.compile(r"字[体号]\s*[:：]\s*[【\[［]?\s*大\s*[|｜]?\s*中\s*[|｜]?\s*小"),
    re.compile(r"^[-—_=*·~\s]*(?:分隔线|分割线)?[-—_=*·~\s]{5,}$"),
    re.compile(r"^(?:保护视力色|视力保护色)"),
    re.compile(r"^(?:您现在的位置|您的位置|你的位置|当前位置|您当前的位置|你现在的位置|所在位置|当前所在位置)\s*[:：]?"),
    re.compile(r"^附件\s*[:：]?\s*$"),
    re.compile(r"^(?:相关链接|相关文章|相关阅读|相关新闻|相关文件|相关稿件|相关解读|友情链接)\s*[:：]?\s*$"),
    re.compile(r"^(?:分享到|分享至)\s*[:：]?"),
    re.compile(r"^扫码.{0,12}(?:浏览|阅读|打开|查看)"),  # 扫码使用手机浏览本页内容
    re.compile(r"^当前版\s*[:：]"),  # an e-paper's page switcher: 当前版: 001版 上一版 下一版
]
# Footer / toolbar words: chrome only on short lines without sentence punctuation, so a
# body sentence that mentions 版权 or 浏览 is kept.
_FOOTER_WORDS = re.compile(
    r"网站标识码|ICP\s*备|ICP\s*证|公网安备|版权所有|主办单位\s*[:：]|承办单位\s*[:：]|"
    r"技术支持\s*[:：]|建议使用.{0,20}浏览器|最佳浏览|浏览(?:数|次数|量)\s*[:：]|"
    r"阅读(?:数|次数|量)\s*[:：]|访问(?:量|次数)\s*[:：]|点击(?:数|量|率|次数)\s*[:：]|"
    r"关怀版|无障碍|长者模式|适老化|网站地图|联系我们\s*[|｜]|责任编辑\s*[:：]|二维码|"
    r"主办\s.{0,30}(?:地址|电话|邮编)\s*[:：]|"
    # a footer's contact row (an e-mail, no commas); a notice's (联系电话：…，0531-…) is text
    r"^[^，,、()（）]*联系(?:方式|电话)\s*[:：][^，,、()（）]*@[^，,、()（）]*$"
)
# Navigation bars: 首页 followed by column names, no sentence.
_NAV_WORDS = re.compile(r"政务公开|信息公开|新闻中心|政务服务|办事服务|互动交流|政民互动|机构设置|通知公告")
_NAV_START = re.compile(r"^(?:首\s*页|主\s*页|网站首页)")
_BREADCRUMB = re.compile(r"首页\s*(?:>|＞|»|›|/|→|-)\s*\S")
_SENTENCE_END = re.compile(r"[。！？；]")
_CHROME_MAX_CHARS = 500  # toolbars and footers are short; longer lines are text


def is_chrome_line(line: str | None) -> bool:
    """True for page chrome (打印 关闭, breadcrumbs, 扫一扫…) that must never be body text.

    Conservative by design: whole-line patterns for toolbars, and for footer words only
    short lines without sentence punctuation. A sentence that mentions 打印 is body text.
    """
    if not line or len(line) > _CHROME_MAX_CHARS:
        return False
    text = clean_line(_nfkc(line))
    if not text:
        return False
    if _ACTION_LINE.match(text):
        return True
    for pattern in _CHROME_PATTERNS:
        if pattern.search(text):
            return True
    short = len(text) <= 120 and not _SENTENCE_END.search(text)
    if short and _FOOTER_WORDS.search(text):
        return True
    spaceless = re.sub(r"\s+", "", text)  # 首     页 政 务 公 开 网 上 办 事 …
    if short and _NAV_START.match(spaceless) and len(_NAV_WORDS.findall(spaceless)) >= 2:
        return True
    return bool(short and len(text) <= 80 and _BREADCRUMB.search(text))


# A date widget: 今天是…, a weekday beside a date, a lunar date. Never a title, never a date.
_WEEKDAY = re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]|礼拜[一二三四五六日天]")
_WIDGET_WORDS = re.compile(r"今天是|今日是|农历|天气|气温|℃|阴转|多云|晴转|小雨|中雨")
_DATE_IN_LINE = re.compile(r"(?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}")
# Site-wide links and switches, alone on a line or a row of them.
_SITE_TOKENS = (
    "首页", "网站首页", "主页", "返回首页", "设为首页", "加入收藏", "收藏本站", "无障碍", "无障碍阅读",
    "无障碍浏览", "长者版", "长者模式", "关怀版", "适老化", "简体", "繁体", "繁體", "简体中文",
    "繁体中文", "繁體中文", "English", "EN", "ENGLISH", "登录", "注册", "登录注册", "个人登录",
    "法人登录", "用户登录", "退出", "手机版", "移动版", "微博", "微信", "政务微博", "政务微信",
    "网站地图", "站点地图", "联系我们", "智能问答", "搜索", "高级搜索", "全文检索", "信息公开",
    "政务公开", "政府信息公开", "互动交流", "政民互动", "办事服务", "政务服务", "新闻中心",
    "走进", "专题专栏", "数据开放", "放大", "缩小", "默认", "上一版", "下一版", "上一期", "下一期",
    "上一篇", "下一篇", "返回", "关闭", "打印", "分享", "正文", "当前位置", "您当前的位置", "RSS",
    "相关办事指南", "取消收藏成功!", "打印整页", "打印内容", "蒙古文版", "视力保护色",
)
_TOKEN_SPLIT = re.compile(r"[\s|｜/、·•●▪■◆]+")
_WELCOME = re.compile(r"^(?:欢迎(?:您)?(?:访问|登录|光临|来到)|您好[，,]?\s*欢迎)")
_BULLET_ONLY = re.compile(r"^[\s•·●▪■◆\-*>]+$")
_NUMBERED_CRUMB = re.compile(r"^\d{1,2}\.\s*(?:当前位置|>|首页)")
_ANGLE_CRUMB = re.compile(r"^(?:>>?|›|»|＞)\s*\S|\s(?:>>?|›|»|＞)\s*\S.*(?:>>?|›|»|＞)")


def is_date_widget(line: str) -> bool:
    """``今天是:2019年10月31日 星期三 农历十月初七``, ``静海区人民政府 2019年12月3日星期二``."""
    text = clean_line(_nfkc(line))
    if len(text) > 60 or _SENTENCE_END.search(text):
        return False
    if _WIDGET_WORDS.search(text) and (_DATE_IN_LINE.search(text) or _WEEKDAY.search(text)):
        return True
    return bool(_WEEKDAY.search(text) and _DATE_IN_LINE.search(text))


# Links to other sites in a header or footer row: 中国政府网, 市人大, English, Русская версия.
_SITE_NAME = re.compile(r"^(?:.{1,10}(?:网|网站)|[A-Za-zА-Яа-яЁё]+|[省市县区]?(?:人大|政协|纪委监委|纪委|监委))$")
# Newspapers linked from an e-paper's header: only beside a navigation link (返回首页).
_PAPER_NAME = re.compile(r"^.{1,6}(?:报|报刊)$")
_CAPTION = re.compile(r"^.{1,16}[:：]$")


def is_site_link_row(line: str) -> bool:
    """A line made only of site-wide links and switches (``无障碍 简体| 繁体``, ``登录 注册``),
    or of links to other sites (``中国政府网 黑龙江省政府网 English 市人大 市政协``)."""
    tokens = [t.strip("【】[]:：") if not _CAPTION.match(t) else t
              for t in _TOKEN_SPLIT.split(clean_line(line)) if t]
    if not tokens:
        return False
    if all(t in _SITE_TOKENS for t in tokens):
        return True
    if len(tokens) < 3 or _SENTENCE_END.search(line) or re.search(r"[，,]", line):
        return False
    navigates = any(t in _SITE_TOKENS for t in tokens)
    body = tokens[1:] if _CAPTION.match(tokens[0]) else tokens  # 海南日报报业集团旗下媒体:
    return all(t in _SITE_TOKENS or _SITE_NAME.match(t) or (navigates and _PAPER_NAME.match(t))
               for t in body) and any(not _SITE_NAME.match(t) or "网" in t for t in body)


# Image placeholders and bare image file names left by a text export.
_IMAGE_DEBRIS = re.compile(r"^(?:<image>.*</image>|<image>data:\S*|[\w()（）\-]+\.(?:jpe?g|png|gif|bmp|webp))$",
                           re.IGNORECASE)


def is_furniture(line: str | None) -> bool:
    """True for a line that is page furniture (see the module docstring); never for prose."""
    if not line:
        return False
    text = clean_line(line)
    if not text:
        return False
    if is_chrome_line(text) or is_date_widget(text) or is_site_link_row(text):
        return True
    if _BULLET_ONLY.match(text) or _IMAGE_DEBRIS.match(text):
        return True
    short = len(text) <= 80 and not _SENTENCE_END.search(text)
    return bool(short and (_WELCOME.match(text) or _NUMBERED_CRUMB.match(text)
                           or _ANGLE_CRUMB.search(text)))

"""Keywords of a demand or resource: jieba segmentation with the stop words removed, computed
once at save and stored, so matching compares small sets instead of segmenting text."""

import logging
import re

import jieba

jieba.setLogLevel(logging.WARNING)

# Words every demand and resource says; sharing them says nothing about a match.
STOP_WORDS = frozenset("""
的 了 和 与 及 或 为 在 对 等 是 有 把 被 让 给 向 从 到 由 以 之 其 并 也 都 就 又 还 而
我们 你们 他们 我 你 他 她 它 大家 自己 这个 那个 这些 那些 一个 一些 一次 一下 每月 每周 每天
需要 需求 希望 提供 服务 社区 居民 群众 进行 开展 组织 活动 项目 工作 帮助 相关 可以 能够 如何
没有 不能 比较 非常 目前 现在 已经 问题 情况 方面 时间 地点 左右 以上 以下 我们的 周边 附近
单位 企业 公司 有限公司 资源 免费 公益 定期 长期 不定期 每年 全年 欢迎 参加 参与 报名
""".split())
_WORDLIKE = re.compile(r"^[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9]*$")
MAX_KEYWORDS = 40


def keywords_of(*texts: str) -> list[str]:
    """Distinct meaningful words of the texts, in order of first appearance."""
    seen = []
    for text in texts:
        for word in jieba.lcut(text or ""):
            word = word.strip().lower()
            if len(word) < 2 or word in STOP_WORDS or not _WORDLIKE.match(word):
                continue
            if word not in seen:
                seen.append(word)
                if len(seen) >= MAX_KEYWORDS:
                    return seen
    return seen


def stored(words: list[str], max_length: int = 400) -> str:
    """The space-separated form kept on the row, cut at whole words."""
    out, length = [], 0
    for word in words:
        if length + len(word) + 1 > max_length:
            break
        out.append(word)
        length += len(word) + 1
    return " ".join(out)

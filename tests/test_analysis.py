from indexer.analysis import normalize, normalize_with_offsets, sentences, words


def test_normalize_width_case_traditional_and_whitespace():
    assert normalize("９０％") == "90%"
    assert normalize("ABC Def") == "abcdef"
    assert normalize("國務院關於加強法治政府建設的意見") == "国务院关于加强法治政府建设的意见"
    assert normalize("措 施\n落实　到位\u200b") == "措施落实到位"


def test_normalize_is_per_character_so_substrings_survive():
    raw = "國務院 關於ＡＢＣ９０％的意見"
    whole = normalize(raw)
    for i in range(len(raw)):
        for j in range(i + 1, len(raw) + 1):
            assert normalize(raw[i:j]) in whole


def test_offsets_point_back_to_raw_characters():
    text, offsets = normalize_with_offsets("a b９")
    assert text == "ab9"
    assert offsets == [0, 2, 3]


def test_offsets_of_one_to_one_text_and_of_any_text_agree_with_the_character_map():
    import random

    from indexer.analysis import _MATCH_MAP

    rng = random.Random(4)
    alphabet = [*"法治政府國務ab９Ａ。，", " ", "\u3000", "\n", "\u200b", "ﬁ", "㈠", "\U00020000", "Ⅻ"]
    for _ in range(400):
        raw = "".join(rng.choice(alphabet[: rng.choice((11, len(alphabet)))]) for _ in range(rng.randint(0, 30)))
        text, offsets = normalize_with_offsets(raw)
        mapped = [_MATCH_MAP[ord(ch)] for ch in raw]
        assert text == "".join(mapped) == normalize(raw)
        assert offsets == [i for i, m in enumerate(mapped) for _ in m], raw


def test_words_drop_punctuation_and_normalise():
    assert words("全面推进依法行政，加快建设法治政府。") == ["全面", "推进", "依法行政", "加快", "建设", "法治", "政府"]


def test_sentences_split_on_chinese_marks_after_nfkc():
    assert sentences(normalize("一是学法。二是用法！三是守法？四是；五")) == ["一是学法", "二是用法", "三是守法", "四是", "五"]


def test_normalising_many_texts_at_once_equals_normalising_each():
    import random

    from indexer.analysis import normalize_all

    rng = random.Random(1)
    # CJK (simplified and traditional), full-width forms, spaces and invisible characters that
    # are dropped, characters that expand (㈠, ﬁ, Ⅻ) and one outside the BMP.
    alphabet = [*"法治政府建設国家ＡＢＣabc１２３　 \t\n\u200b，。、；ｶﾞ", "㈠", "ﬁ", "Ⅻ", "𠀀", "\x00"]
    for trial in range(600):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 200))) for _ in range(rng.randrange(0, 8))]
        if trial % 2:  # the vectorised path: nothing that expands, nothing outside the BMP
            texts = [t.translate({ord(c): None for c in "㈠ﬁⅫ𠀀"}) for t in texts]
        assert normalize_all(texts) == [normalize(t) for t in texts], texts

"""extract.regions: GB/T 2260 lookups, zones, SiteIDCode, and the leave-it-unknown rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.regions import region_code_from_credit_code, region_from_code, resolve_region
from indexer.document import Region


def test_site_id_code_gives_city() -> None:
    region = resolve_region(None, site_id_code="4403000052")
    assert region == Region(province="广东省", city="深圳市", county=None, code="440300")


def test_site_id_code_restricts_ambiguous_names() -> None:
    # 南山区 exists in 深圳 and in 鹤岗; the site code decides.
    region = resolve_region("南山区人民政府", site_id_code="4403000052")
    assert region.code == "440305" and region.county == "南山区"


def test_site_id_code_of_a_county() -> None:
    assert resolve_region(site_id_code="5001070012").display() == "重庆市九龙坡区"


def test_ministry_site_id_code_is_no_region() -> None:
    assert resolve_region(site_id_code="bm07000001").is_empty()


@pytest.mark.parametrize("name", ["青山区", "朝阳区", "鼓楼区", "西湖区", "青山区司法局"])
def test_bare_ambiguous_county_stays_unknown(name: str) -> None:
    region = resolve_region(name)
    assert region.is_empty() and region.code is None


def test_ambiguous_county_resolved_by_city_in_same_text() -> None:
    region = resolve_region("武汉市青山区人民政府")
    assert region == Region(province="湖北省", city="武汉市", county="青山区", code="420107")


def test_ambiguous_county_resolved_by_context() -> None:
    region = resolve_region("青山区司法局", context="贯彻落实《武汉市重大行政决策程序规定》")
    assert region.code == "420107"


def test_ambiguous_county_with_two_confirming_contexts_stays_unknown() -> None:
    region = resolve_region("青山区司法局", context="武汉市与包头市交流")
    assert region.is_empty()


def test_qualified_name_resolves_fully() -> None:
    region = resolve_region("江门市江海区")
    assert region == Region(province="广东省", city="江门市", county="江海区", code="440704")


def test_unique_county_name_resolves() -> None:
    assert resolve_region("榆中县人民政府").display() == "甘肃省兰州市榆中县"


@pytest.mark.parametrize(
    ("text", "display", "code"),
    [
        ("漳河新区管理委员会", "湖北省荆门市", "420800"),
        ("江门高新区管委会", "广东省江门市", "440700"),
        ("江门高新技术产业开发区管理委员会", "广东省江门市", "440700"),
        ("雄安新区管理委员会", "河北省", "130000"),
    ],
)
def test_zones_resolve_to_their_parent(text: str, display: str, code: str) -> None:
    region = resolve_region(text)
    assert region.display() == display and region.code == code


def test_zone_refined_by_a_later_text() -> None:
    region = resolve_region("江门高新区管委会", "关于江门市江海区2017年法治政府建设情况报告")
    assert region.code == "440704"


def test_municipality() -> None:
    assert resolve_region("北京市朝阳区").code == "110105"
    beijing = resolve_region("北京市人民政府")
    assert beijing.code == "110000" and beijing.display() == "北京市"


def test_province_only() -> None:
    assert resolve_region("湖北省人民政府") == Region(province="湖北省", code="420000")


def test_province_directly_administered_county() -> None:
    region = resolve_region("仙桃市人民政府")
    assert region.province == "湖北省" and region.county == "仙桃市" and region.city is None


def test_abolished_county_still_resolves() -> None:
    region = resolve_region("邯郸县人民政府2015年度法治政府建设情况报告")
    assert region.display() == "河北省邯郸市邯郸县" and region.code == "130421"


def test_two_character_names_need_a_boundary() -> None:
    assert resolve_region("全市各区和县政府").is_empty()
    assert resolve_region("马鞍山市和县人民政府").code == "340523"


def test_generic_words_are_not_places() -> None:
    assert resolve_region("推进老城区改造和新城区建设").is_empty()


def test_first_text_wins_over_later_texts() -> None:
    region = resolve_region("榆中县司法局", "学习深圳市南山区经验")
    assert region.code == "620123"


def test_body_vote_needs_repeated_unrivalled_mentions() -> None:
    assert resolve_region(None, context="榆中县……榆中县……榆中县").code == "620123"
    assert resolve_region(None, context="榆中县一次").is_empty()
    assert resolve_region(None, context="榆中县、榆中县、永登县、永登县").display() == "甘肃省兰州市"


def test_body_refines_a_city_only_when_clear() -> None:
    assert resolve_region("深圳市", context="南山区 南山区 南山区 福田区 福田区").code == "440300"
    assert resolve_region("深圳市", context="南山区 南山区 南山区 南山区 福田区").code == "440305"


def test_region_from_code() -> None:
    assert region_from_code("110101").display() == "北京市东城区"
    assert region_from_code("500229") == Region("重庆市", "重庆市", "城口县", "500229")
    assert region_from_code("440399").code == "440300"  # unknown county → its city
    assert region_from_code("999999").is_empty()
    assert region_from_code(None).is_empty()


def test_credit_code_region() -> None:
    assert region_code_from_credit_code("11420800MB0W32466T") == "420800"
    assert region_code_from_credit_code("11420800MB0W32466X") is None  # bad check character
    assert region_code_from_credit_code("733569413") is None
    assert region_code_from_credit_code(None) is None


def test_empty_input() -> None:
    assert resolve_region().is_empty()
    assert resolve_region(None, "", context="") == Region()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("济南市市中区人民政府", "370103"),
        ("洛阳市老城区", "410302"),
        ("西安市新城区司法局", "610102"),
    ],
)
def test_generic_sounding_division_right_after_its_city(text: str, code: str) -> None:
    assert resolve_region(text).code == code


@pytest.mark.parametrize(
    ("text", "display"),
    [
        ("恩施州人民政府", "湖北省恩施土家族苗族自治州"),
        ("长阳县人民政府", "湖北省宜昌市长阳土家族自治县"),
        ("黔东南州司法局", "贵州省黔东南苗族侗族自治州"),
    ],
)
def test_autonomous_short_names(text: str, display: str) -> None:
    assert resolve_region(text).display() == display


@given(st.text(max_size=300), st.text(max_size=12))
def test_resolve_region_never_raises(text: str, site: str) -> None:
    region = resolve_region(text, None, site_id_code=site, context=text)
    assert region.code is None or (len(region.code) == 6 and region.code.isdigit())
    assert region.is_empty() == (region.code is None)


def test_ministry_site_codes_name_no_region():
    from extract.regions import resolve_region

    assert resolve_region("某部", site_id_code="bm31000001").is_empty()
    assert resolve_region(None, site_id_code="4403000052").city == "深圳市"

"""The category catalog against the shipped categories.tsv."""

from __future__ import annotations

import pytest

from console.domain.categories import DEFAULT_SCHEME, Category, CategoryCatalog

CATALOG = CategoryCatalog.load()


def test_default_scheme_counts():
    assert CATALOG.scheme == DEFAULT_SCHEME == "GB/T 47678.5-2026"
    assert len(CATALOG.of_kind("component")) == 153
    assert len(CATALOG.of_kind("matter")) == 250
    assert len(CATALOG) == len(list(CATALOG)) == 403


def test_codes_are_five_digits_unique_and_carry_their_major():
    for kind in ("component", "matter"):
        codes = [c.code for c in CATALOG.of_kind(kind)]
        assert len(codes) == len(set(codes))
        for c in CATALOG.of_kind(kind):
            assert len(c.code) == 5 and c.code.isdigit()
            assert c.code[:2] == c.major_code and c.kind == kind and c.scheme == DEFAULT_SCHEME


def test_every_component_has_its_abnormal_matter():
    for comp in CATALOG.of_kind("component"):
        matter = CATALOG.get(comp.code)
        assert matter.kind == "matter"
        assert matter.name_zh.startswith(comp.name_zh.removesuffix("SOS"))


def test_known_entries():
    garbage = CATALOG.get("06010")
    assert garbage == Category(
        "06010", "matter", "06", "市容环境类", "暴露垃圾", "Exposed garbage", DEFAULT_SCHEME
    )
    assert CATALOG.get("01001").name_zh == "供水井盖异常"
    assert CATALOG.get("01001", kind="component").name_zh == "供水井盖"
    assert CATALOG.get("08016").name_en == "Unpermitted construction"


def test_lookup_and_membership():
    assert "06010" in CATALOG and "01037" in CATALOG
    assert "99999" not in CATALOG and 6010 not in CATALOG
    with pytest.raises(KeyError):
        CATALOG.get("99999")
    with pytest.raises(KeyError):
        CATALOG.get("06010", kind="component")  # a matter with no component


def test_by_major():
    matters = CATALOG.by_major()
    assert list(matters) == [f"{n:02d}" for n in range(1, 11)]
    assert sum(map(len, matters.values())) == 250
    assert {c.major_name_zh for c in matters["06"]} == {"市容环境类"}
    components = CATALOG.by_major("component")
    assert list(components) == ["01", "02", "03", "04", "05"]


def test_to_list_for_reference():
    rows = CATALOG.to_list()
    assert len(rows) == 403
    assert set(rows[0]) == {
        "code",
        "kind",
        "major_code",
        "major_name_zh",
        "name_zh",
        "name_en",
        "scheme",
    }
    assert {r["kind"] for r in rows} == {"component", "matter"}


def test_schemes_and_legacy_schemes():
    assert CategoryCatalog.schemes() == sorted(
        ["GB/T 47678.5-2026", "legacy-beijing-chaoyang", "legacy-gbt30428.2-events"]
    )
    beijing = CategoryCatalog.load("legacy-beijing-chaoyang")
    assert len(beijing.of_kind("component")) == 100 and len(beijing.of_kind("matter")) == 88
    assert all(len(c.code) == 4 for c in beijing)
    events = CategoryCatalog.load("legacy-gbt30428.2-events")
    assert len(events.of_kind("matter")) == 16 and not events.of_kind("component")
    with pytest.raises(ValueError):
        CategoryCatalog.load("GB/T 0000")


def test_load_is_cached():
    assert CategoryCatalog.load() is CATALOG
    assert CategoryCatalog.load(scheme=DEFAULT_SCHEME) is CATALOG

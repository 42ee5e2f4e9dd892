"""The import refuses bad files with an error naming the file and the value, and loads nothing from them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from treatywatch.protection.data import (
    ProtectionDataError,
    load_dataset,
    source_metadata,
    wb_fiscal_year_files,
)

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """The real files, linked into a scratch folder so a test can replace one of them."""
    paths = [Path(info["path"]) for info in source_metadata().values() if "{fy}" not in info["path"]]
    paths += [p.relative_to(RAW) for p in wb_fiscal_year_files(RAW)]
    for relative in paths:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).symlink_to(RAW / relative)
    return tmp_path


def replace(folder: Path, relative: str, text: str) -> None:
    (folder / relative).unlink()
    (folder / relative).write_text(text, encoding="utf-8")


POPULATION = "unhcr-popstats/population.csv"
HEADER = "year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers,returned_refugees,idps,returned_idps,stateless,ooc,oip,hst\n"
GOOD_ROW = "2024,Syrian Arab Rep.,SYR,SYR,Turkiye,TUR,TUR,100,5,0,0,0,0,0,,0\n"


def test_the_linked_real_files_load(folder: Path) -> None:
    assert load_dataset(folder).years[-1] == 2025


def test_missing_column_named(folder: Path) -> None:
    replace(folder, POPULATION, HEADER.replace(",oip", "") + GOOD_ROW.replace(",,0\n", ",0\n"))
    with pytest.raises(ProtectionDataError, match=r"population\.csv, row 1: missing column \('oip'\)"):
        load_dataset(folder)


def test_unknown_country_code_named_with_row(folder: Path) -> None:
    replace(folder, POPULATION, HEADER + GOOD_ROW + GOOD_ROW.replace("TUR,TUR", "ZZZ,ZZZ"))
    with pytest.raises(ProtectionDataError, match=r"population\.csv, row 3: unknown country code \('ZZZ'\)"):
        load_dataset(folder)


def test_unk_must_be_unhcr_unknown_not_kosovo(folder: Path) -> None:
    kosovo = "2024,Kosovo,KOS,UNK,Germany,GFR,DEU,10,0,0,0,0,0,0,,0\n"
    replace(folder, POPULATION, HEADER + GOOD_ROW + kosovo)
    with pytest.raises(
        ProtectionDataError, match=re.escape("code UNK with UNHCR code 'KOS', expected 'UKN'")
    ):
        load_dataset(folder)


def test_truncated_row_and_bad_count_refused(folder: Path) -> None:
    replace(folder, POPULATION, HEADER + GOOD_ROW + GOOD_ROW[:30])
    with pytest.raises(
        ProtectionDataError, match=r"row 3: row has \d+ fields, header has 16 \(truncated file\?\)"
    ):
        load_dataset(folder)
    replace(folder, POPULATION, HEADER + GOOD_ROW.replace(",100,", ",-7,"))
    with pytest.raises(ProtectionDataError, match=r"column refugees: not a non-negative integer \('-7'\)"):
        load_dataset(folder)


def test_world_bank_unknown_group_and_code_refused(folder: Path) -> None:
    relative = "wb-income-groups/wb_income_FY2025.csv"
    original = (RAW / relative).read_text(encoding="utf-8")
    replace(folder, relative, original.replace("Low income", "Very low income", 1))
    with pytest.raises(
        ProtectionDataError,
        match=r"wb_income_FY2025\.csv, row \d+: unknown income group \('Very low income'\)",
    ):
        load_dataset(folder)
    replace(folder, relative, original.replace("\nAFG,", "\nAFX,", 1))
    with pytest.raises(ProtectionDataError, match=r"unknown country code \('AFX'\)"):
        load_dataset(folder)


def test_borders_unknown_alpha2_refused(folder: Path) -> None:
    relative = "borders-geodatasource/GEODATASOURCE-COUNTRY-BORDERS.CSV"
    text = (RAW / relative).read_text(encoding="utf-8-sig")
    replace(folder, relative, text + '"QQ","Nowhere","FR","France"\n')
    with pytest.raises(
        ProtectionDataError,
        match=r"GEODATASOURCE-COUNTRY-BORDERS\.CSV, row 730: unknown ISO alpha-2 code \('QQ'\)",
    ):
        load_dataset(folder)


def test_missing_file_named(folder: Path) -> None:
    (folder / "unhcr-popstats/solutions.csv").unlink()
    with pytest.raises(ProtectionDataError, match=r"solutions\.csv: file missing"):
        load_dataset(folder)

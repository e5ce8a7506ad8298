"""Event-sequence scores: exact answers on hand-made dates and packages, and the table of a run."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import event_scores, validation


def _ts(values: list[str | None]) -> pd.Series:
    return pd.Series(pd.to_datetime(values))


def test_months_are_calendar_months():
    assert event_scores.months("2022-06-01", "2022-05-18") == 1
    assert event_scores.months("2022-05-01", "2022-05-31") == 0  # the same month, whatever the day
    assert event_scores.months("2021-12-01", "2022-01-15") == -1
    assert event_scores.month_of(event_scores.month_index("2014-07-16") + 0.5) == pd.Timestamp("2014-07-01")


def test_summary_of_per_seed_dates_by_hand():
    # errors against 2022-05-18: +1, +4, (never), 0 -> over the three seeds where it happens: 0, 1, 4
    s = event_scores.summarise(_ts(["2022-06-01", "2022-09-01", None, "2022-05-01"]), pd.Timestamp("2022-05-18"), 4)
    assert s["error_median"] == 1.0
    assert s["error_p10"] == pytest.approx(0.2) and s["error_p90"] == pytest.approx(3.4)  # linear quantiles
    assert s["happens"] == pytest.approx(0.75) and s["model"] == "2022-06"
    never = event_scores.summarise(_ts([None, None]), pd.Timestamp("2022-05-18"), 2)
    assert never["model"] == "never" and never["happens"] == 0.0 and math.isnan(never["error_median"])


def test_weighted_median_reaches_half_the_weight():
    assert event_scores.weighted_median(np.array([3.0, 1.0, np.inf]), np.array([1.0, 1.0, 2.0])) == 3.0
    assert event_scores.weighted_median(np.array([3.0, 1.0, np.inf]), np.array([1.0, 1.0, 3.0])) == np.inf
    assert event_scores.weighted_median(np.array([5.0]), np.array([2.0])) == 5.0


def _packages(rows: list[tuple[int, str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"seed": [r[0] for r in rows], "state": [r[1] for r in rows],
                         "month": pd.to_datetime([r[2] for r in rows])})


def test_group_dates_are_the_gdp_weighted_median_of_the_members_kth_packages():
    members = {"A": 3.0, "B": 1.0, "C": 1.0}  # half the weight is 2.5
    pk = _packages([(0, "A", "2013-01-01"), (0, "A", "2014-03-01"), (0, "A", "2014-07-01"), (0, "B", "2014-02-01"),
                    (0, "C", "2014-04-01"), (0, "C", "2014-05-01"), (0, "C", "2014-06-01")])
    # 1st: B 02, A 03, C 04 -> B+A reach 4 >= 2.5 at 2014-03; 2nd: C 05, A 07, B never -> 2014-07;
    # 3rd: only C (weight 1) -> never; A's 2013 package lies outside the window
    got = event_scores.group_dates(pk, members, "2014-02-01", "2018-03-01")
    assert got == [pd.Timestamp("2014-03-01"), pd.Timestamp("2014-07-01")]
    assert event_scores.group_dates(pk, {"A": 1.0}, "2014-02-01", "2014-07-01") == [pd.Timestamp("2014-03-01")]
    assert event_scores.group_dates(pk, {}, "2014-02-01", "2018-03-01") == []


def test_eu_members_by_date():
    roster = [{"code": c, "gdp_usd_bn": 1.0} for c in ("DEU", "FRA", "GBR", "USA")]
    assert set(event_scores.group_members("EU", "2014-02-01", roster)) == {"DEU", "FRA", "GBR"}
    assert set(event_scores.group_members("EU", "2022-02-01", roster)) == {"DEU", "FRA"}
    assert event_scores.group_members("USA", "2022-02-01", roster) == {"USA": 1.0}
    assert event_scores.group_members("CAN", "2022-02-01", roster) == {}


RECORD = pd.DataFrame({
    "date": ["2014-03-17", "2014-03-20", "2014-07-16", "2022-02-22", "2022-04-06"],
    "actor": ["USA"] * 5,
    "episode": ["e2014", "e2014", "e2014", "e2022", "e2022"],
    "trigger_date": ["2014-02-27"] * 3 + ["2022-02-21"] * 2,
    "description": ["a", "b", "c", "d", "e"],
    "source": ["s"] * 5,
})


def _fake_result(packages: list[tuple[int, str]], seeds: list[int]) -> SimpleNamespace:
    ev = pd.DataFrame({"seed": [p[0] for p in packages], "date": pd.to_datetime([p[1] for p in packages]),
                       "actor": "USA", "targets": "RUS", "type": "impose_sanctions"})
    return SimpleNamespace(events=ev, seeds=seeds, timeseries=pd.DataFrame({"date": pd.to_datetime(["2023-12-01"])}),
                           scenario=SimpleNamespace(roster=[{"code": "USA", "gdp_usd_bn": 1.0}], events=[]))


def test_matching_rule_in_order_within_episodes():
    record = event_scores.record_sanctions(RECORD)
    months = event_scores.package_months(record)
    assert list(months.month.dt.strftime("%Y-%m")) == ["2014-03", "2014-07", "2022-02", "2022-04"]  # 17 and 20 March: one
    eps = event_scores.episodes(record, "2023-12-01")
    assert list(eps.start.dt.strftime("%Y-%m")) == ["2014-02", "2022-02"]
    assert eps.stop.iloc[0] == pd.Timestamp("2022-02-01")
    # seed 0: one package before the first episode, three in 2014-2015 (one more than the record), one in 2022
    # seed 1: one package in 2014
    result = _fake_result([(0, "2013-05-01"), (0, "2014-02-01"), (0, "2014-09-01"), (0, "2015-01-01"),
                           (0, "2022-03-01"), (1, "2014-04-01")], [0, 1])
    rows = pd.DataFrame(event_scores.sanctions_rows(result, record))
    before = rows.iloc[0]
    assert before.kind == "sanctions packages (count)" and before.happens == 0.5
    first, second, count14 = rows.iloc[1], rows.iloc[2], rows.iloc[3]
    assert first.record == "2014-03" and first.error_median == 0.0  # -1 (seed 0) and +1 (seed 1)
    assert first.error_p10 == pytest.approx(-0.8) and first.error_p90 == pytest.approx(0.8) and first.happens == 1.0
    assert second.record == "2014-07" and second.error_median == 2.0 and second.happens == 0.5  # seed 0's 2014-09
    assert count14.record == "2" and count14.error_median == 0.0  # counts 3 and 1 against 2
    third, fourth, count22 = rows.iloc[4], rows.iloc[5], rows.iloc[6]
    assert third.record == "2022-02" and third.error_median == 1.0 and third.happens == 0.5
    assert fourth.model == "never" and fourth.happens == 0.0  # seed 0's 2015 package is not carried into 2022
    assert count22.error_median == -1.5
    assert len(rows) == 7


def test_imposing_packages_freely_is_not_rewarded():
    """A model that imposes a package every month matches the record's later packages too early and counts far more."""
    record = event_scores.record_sanctions(RECORD)
    spam = _fake_result([(0, f"{y}-{m:02d}-01") for y in range(2014, 2024) for m in range(1, 13)], [0])
    rows = pd.DataFrame(event_scores.sanctions_rows(spam, record))
    second = rows[(rows.kind == "sanctions package") & (rows.record == "2014-07")].iloc[0]
    assert second.error_median == -4.0  # matched to 2014-03, the second monthly package of the episode
    counts = rows[rows.kind == "sanctions packages (count)"]
    assert counts.error_median.max() >= 90  # about 96 packages in the 2014 episode against the record's 2


def test_record_file_is_sourced_and_within_the_record():
    rec = event_scores.record_sanctions()
    assert set(rec.actor) == {"EU", "USA"} and rec.source.str.len().min() > 20
    assert rec.date.min() >= pd.Timestamp("2014-01-01") and rec.date.dt.year.max() <= validation.RECORD_END
    assert (rec.groupby("episode").trigger_date.nunique() == 1).all()  # one trigger per episode
    assert (rec.date >= rec.trigger_date.dt.to_period("M").dt.to_timestamp()).all()


def test_the_table_of_a_run(ensemble, tmp_path):
    table = event_scores.score(ensemble)
    assert list(table.columns) == list(event_scores.COLUMNS)
    assert {"accession", "application", "sanctions package", "sanctions packages (count)"} <= set(table.kind)
    scheduled = table[(table.kind == "accession") & table.note.str.startswith("scheduled")]
    assert len(scheduled) >= 10 and (scheduled.error_median == 0).all() and (scheduled.happens == 1).all()
    # recompute Finland's application error by hand from the states table
    st = ensemble.states
    fin = st[(st.state == "FIN") & (st.applicant | st.member)].groupby("seed").date.min()
    errs = [(d.year - 2022) * 12 + d.month - 5 for d in fin]
    row = table[table.event == "FIN applies"].iloc[0]
    assert row.error_median == pytest.approx(float(np.median(errs)))
    assert row.happens == pytest.approx(len(fin) / len(ensemble.seeds))
    sets = event_scores.sets_by_year(ensemble)
    assert sets.year.min() == 1992 and sets.year.max() == validation.RECORD_END
    assert sets["Jaccard median"].between(0, 1).all()
    v = validation.validate(ensemble)
    folder = v.save(tmp_path / "v", plots=False)
    assert len(pd.read_csv(folder / "event_scores.csv")) == len(table)
    assert (folder / "jaccard_2pct_by_year.csv").is_file()
    assert "Event sequence against the record" in v.markdown()

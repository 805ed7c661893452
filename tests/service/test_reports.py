"""PDF reports: the figures in the text equal the JSON of the same run, every section is there,
Polish and Ukrainian letters survive, the same run gives the same document, tenancy holds.

Text is extracted with pypdf; the first pages are rendered to PNG (pypdfium2) under
``tests/artifacts/reports/`` to be looked at.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

from service.i18n import fmt_money, fmt_number
from tests.service.test_assessments_api import create_inventory, run_assessment
from tests.service.test_portfolios_api import run
from tests.service.test_readiness_api import LUBLIN, put_city_values

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "reports"


def pdf_text(content: bytes) -> str:
    """The document's text with every kind of space (NBSP, narrow NBSP, line breaks) as one space."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def norm(s: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", s)


def save_pages(content: bytes, name: str, pages: int = 3) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(content)
    for i in range(min(pages, len(doc))):
        doc[i].render(scale=1.2).to_pil().save(ARTIFACTS / f"{name}-p{i + 1}.png")


def test_energy_report_figures_equal_the_json_in_pl_and_uk(client, tenants) -> None:  # type: ignore[no-untyped-def]
    inv = create_inventory(client, tenants, 6)
    job = run_assessment(client, tenants, inv)
    h = tenants.h(tenants.city_key)
    result = client.get(job["result_url"], headers=h).json()
    pl = client.get(job["result_url"] + "/report.pdf?lang=pl", headers=h)
    assert pl.status_code == 200 and pl.headers["content-type"] == "application/pdf"
    assert pl.headers["content-disposition"].startswith("attachment;")
    text = pdf_text(pl.content)
    totals = result["result"]["totals"]
    for heading in ("Diagnoza energetyczna budynków publicznych", "Spis treści", "Podsumowanie dla decydentów",
                    "Zasób budynków wg rodzaju i okresu budowy", "EP wobec wymagań WT 2021",
                    "CO₂ i koszty wg rodzaju budynku", "Potencjał fotowoltaiki na dachach i jego wartość",
                    "Kalibracja względem liczników", "Jakość danych", "Metoda i źródła",
                    "Załącznik: wszystkie budynki"):  # fmt: skip
        assert heading in text, heading
    assert norm(fmt_number(totals["co2_t_per_year"], "pl")) + " t" in text
    assert norm(fmt_money(totals["cost_pln_per_year"], "pl", compact=True)) in text
    one = result["result"]["buildings"][0]
    assert one["building_id"] in text and norm(fmt_number(one["ep"]["ep_hw_kwh_per_m2_year"], "pl")) in text
    assert result["id"] in text and result["engine_version"] in text, "the run and engine are named"
    assert "Dz.U." in text, "sources of the factors are stated"
    assert not re.search(r"\d\.\d{6,}", text), "no float noise"
    assert len(PdfReader(io.BytesIO(pl.content)).pages) >= 8
    save_pages(pl.content, "energy-pl")
    # the same run gives the same document
    again = client.get(job["result_url"] + "/report.pdf?lang=pl", headers=h)
    assert again.content == pl.content
    uk = client.get(job["result_url"] + "/report.pdf?lang=uk", headers=h)
    uk_text = pdf_text(uk.content)
    assert "Енергетична діагностика громадських будівель" in uk_text
    assert {"ї", "є", "і"} <= set(uk_text) and "Якість даних" in uk_text
    assert norm(fmt_number(totals["co2_t_per_year"], "uk")) in uk_text
    save_pages(uk.content, "energy-uk", 2)
    # an unknown language falls back to Polish, another tenant gets 404
    assert pdf_text(client.get(job["result_url"] + "/report.pdf?lang=de", headers=h).content) == text
    other = client.get(job["result_url"] + "/report.pdf", headers=tenants.h(tenants.other_city_key))
    assert other.status_code == 404


def test_plan_report_states_financing_and_compares_named_plans(client, tenants) -> None:  # type: ignore[no-untyped-def]
    inv = create_inventory(client, tenants, 6)
    body = {"inventory_id": inv, "budget_pln": 3_000_000.0,
            "programmes": [{"programme_id": "feniks", "share_of_eligible_cost": 0.5}]}  # fmt: skip
    a = run(client, tenants, {"name": "Plan CO₂ z dotacją", "objective": "max_co2", **body})
    b = run(client, tenants, {"name": "Plan NPV", "objective": "max_npv", **body})
    h = tenants.h(tenants.city_key)
    r = client.get(f"{a['url']}/report.pdf?compare={b['id']}", headers=h)
    assert r.status_code == 200, r.text
    text = pdf_text(r.content)
    for heading in ("Plan inwestycyjny", "Plan w kolejnych latach", "Projekty i ich działania",
                    "Finansowanie wg źródeł", "Przepływy pieniężne, NPV i okres zwrotu", "Porównanie planów",
                    "Założenia i źródła", "Wartość bieżąca netto (NPV)", "Prosty okres zwrotu"):  # fmt: skip
        assert heading in text, heading
    t = a["totals"]
    assert norm(fmt_money(t["own_contribution_pln"], "pl")) in text
    grant = sum(p.get("grant_pln__feniks", 0.0) for p in a["projects"])
    assert abs(grant - t["grant_pln"]) < 1e-6 and norm(fmt_money(grant, "pl")) in text
    assert "50% kosztów kwalifikowanych" in text.replace("\u00a0", "")
    assert "Plan CO₂ z dotacją" in text and "Plan NPV" in text
    save_pages(r.content, "plan-pl")
    front = run(client, tenants, {"inventory_id": inv, "n_points": 3}, "/v1/portfolios/frontier")
    with_front = client.get(f"{a['url']}/report.pdf?frontier={front['id']}", headers=h)
    assert with_front.status_code == 200, with_front.text
    front_text = pdf_text(with_front.content)
    assert "Front Pareto: koszt wobec redukcji CO₂" in front_text and "Ten plan: wkład własny" in front_text
    assert client.get(f"{a['url']}/report.pdf?frontier={b['id']}", headers=h).status_code == 409
    assert client.get(f"{a['url']}/report.pdf", headers=tenants.h(tenants.other_city_key)).status_code == 404


def test_readiness_report_from_a_run_and_from_its_publication(client, tenants) -> None:  # type: ignore[no-untyped-def]
    put_city_values(client, tenants)
    h = tenants.h(tenants.city_key)
    body = {"teryts": [LUBLIN], "uncertainty_runs": 100,
            "scenario": {"scenario_id": "t", "label": "5 000 osób", "arrivals": 5000}}  # fmt: skip
    r = client.post("/v1/readiness/scores", json=body, headers=h)
    assert r.status_code in (201, 202), r.text
    run_id = r.json()["run_id"] if "run_id" in r.json() else r.json()["subject_id"]
    if r.status_code == 202:
        from tests.service.test_assessments_api import wait_job

        wait_job(
            client, h, r.headers["Location"].replace(f"/v1/readiness/scores/{run_id}", "") or r.json()["url"]
        )
    run_json = client.get(f"/v1/readiness/scores/{run_id}", headers=h).json()
    score = run_json["scores"][0]
    pdf = client.get(f"/v1/readiness/scores/{run_id}/report.pdf?teryt={LUBLIN}&lang=uk", headers=h)
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content)
    for heading in ("Готовність прийняти нових мешканців", "Результат і складові", "Спроможність і потреби",
                    "Сильні й слабкі сторони та найбільший важіль", "Усі показники з роком і джерелом",
                    "Метод і джерела"):  # fmt: skip
        assert heading in text, heading
    assert norm(fmt_number(score["score"], "uk")) in text
    for pillar in ("housing", "schooling", "services"):
        assert norm(fmt_number(score["pillars"][pillar]["score"], "uk")) in text
    assert "UM Lublin, sprawozdanie 2025" in text, "every value with its source"
    save_pages(pdf.content, "readiness-uk", 2)
    pub = client.post(f"/v1/readiness/{LUBLIN}/publications", json={"run_id": run_id}, headers=h)
    assert pub.status_code == 201, pub.text
    snap = pub.json()["snapshot_id"]
    from_pub = client.get(f"/v1/readiness/{LUBLIN}/publications/{snap}/report.pdf", headers=h)
    assert from_pub.status_code == 200 and "Gotowość na przyjęcie nowych mieszkańców" in pdf_text(
        from_pub.content
    )
    assert client.get(f"/v1/readiness/scores/{run_id}/report.pdf?teryt={LUBLIN}",
                      headers=tenants.h(tenants.other_city_key)).status_code == 404  # fmt: skip

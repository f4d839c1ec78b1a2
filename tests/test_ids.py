import pytest

from kclaims.errors import BadInput
from kclaims.literature.ids import (
    EXPECTED_FORMS,
    Identifier,
    find_identifiers,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
    parse_identifier,
    try_parse_identifier,
)

DOI = "10.1001/archpsyc.63.8.856"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("16894061", "16894061"),
        ("1", "1"),
        ("999999999", "999999999"),
        ("  16894061\n", "16894061"),
        ("pmid:16894061", "16894061"),
        ("PMID: 16894061", "16894061"),
        ("PMID 16894061", "16894061"),
        ("PmId:16894061", "16894061"),
        ("https://pubmed.ncbi.nlm.nih.gov/16894061/", "16894061"),
        ("https://pubmed.ncbi.nlm.nih.gov/16894061", "16894061"),
        ("https://pubmed.ncbi.nlm.nih.gov/16894061/?from=search#abstract", "16894061"),
        ("HTTPS://PubMed.NCBI.nlm.nih.gov/16894061/", "16894061"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/16894061", "16894061"),
        ("http://www.ncbi.nlm.nih.gov/pubmed/10686270?dopt=Abstract", "10686270"),
        ("https://ncbi.nlm.nih.gov/pubmed/16894061/", "16894061"),
        ("pubmed.ncbi.nlm.nih.gov/16894061/", "16894061"),
        ("https://europepmc.org/abstract/MED/16894061", "16894061"),
        ("https://europepmc.org/article/MED/16894061", "16894061"),
    ],
)
def test_normalize_pmid_valid(text, expected):
    assert normalize_pmid(text) == expected
    assert parse_identifier(text) == Identifier("pmid", expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0",
        "-1",
        "+1",
        "016894061",
        "1234567890",
        "12.5",
        "1 2",
        "１２３",  # full-width digits
        "pmid:",
        "pmid:0",
        "PMID: abc",
        "PMC4810965",
        "https://pubmed.ncbi.nlm.nih.gov/?term=123",
        "https://www.ncbi.nlm.nih.gov/pubmed/?term=123",
        "https://example.org/pubmed/16894061",
        "https://europepmc.org/abstract/MED/",
    ],
)
def test_normalize_pmid_invalid(text):
    assert normalize_pmid(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PMC4810965", "PMC4810965"),
        ("pmc4810965", "PMC4810965"),
        ("Pmc4810965", "PMC4810965"),
        (" PMC4810965 ", "PMC4810965"),
        ("PMCID: PMC4810965", "PMC4810965"),
        ("pmcid:pmc4810965", "PMC4810965"),
        ("PMC2883744.1", "PMC2883744"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/", "PMC4810965"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965", "PMC4810965"),
        ("http://www.ncbi.nlm.nih.gov/pmc/articles/pmc4810965/?report=classic", "PMC4810965"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/pdf/main.pdf", "PMC4810965"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC4810965/", "PMC4810965"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC4810965/#sec1", "PMC4810965"),
        ("https://PMC.ncbi.nlm.nih.gov/articles/PMC2883744.1/", "PMC2883744"),
        ("pmc.ncbi.nlm.nih.gov/articles/PMC4810965/", "PMC4810965"),
        ("https://europepmc.org/article/PMC/PMC4810965", "PMC4810965"),
        ("https://europepmc.org/abstract/PMC/PMC4810965", "PMC4810965"),
        ("https://europepmc.org/articles/PMC4810965", "PMC4810965"),
    ],
)
def test_normalize_pmcid_valid(text, expected):
    assert normalize_pmcid(text) == expected
    assert parse_identifier(text) == Identifier("pmcid", expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PMC",
        "pmc",
        "PMCID:",
        "PMC0",
        "PMC04810965",
        "PMC-4810965",
        "PMC 4810965",
        "PMC4810965x",
        "PMC4810965.",
        "4810965",
        "https://pmc.ncbi.nlm.nih.gov/articles/",
        "https://example.org/pmc/articles/PMC4810965/",
    ],
)
def test_normalize_pmcid_invalid(text):
    assert normalize_pmcid(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        (DOI, DOI),
        ("10.1001/ARCHPSYC.63.8.856", DOI),
        (f"doi:{DOI}", DOI),
        (f"DOI: {DOI}", DOI),
        (f"doi {DOI}", DOI),
        (f"https://doi.org/{DOI}", DOI),
        (f"http://dx.doi.org/{DOI}", DOI),
        (f"https://www.doi.org/{DOI}", DOI),
        (f"HTTPS://DOI.ORG/{DOI.upper()}", DOI),
        (f"doi.org/{DOI}", DOI),
        (f"https://doi.org/{DOI}?utm_source=x#top", DOI),
        ("https://doi.org/10.1001%2Farchpsyc.63.8.856", DOI),
        ("https://doi.org/10.1002%2F%28SICI%291097-0258", "10.1002/(sici)1097-0258"),
        (f"{DOI}.", DOI),
        (f"{DOI},", DOI),
        (f"{DOI};", DOI),
        (f"{DOI}).", DOI),
        (f"{DOI})", DOI),
        ("10.1002/(SICI)1097-0258(19980815/30)17:15/16<1661::AID-SIM968>3.0.CO;2-2",
         "10.1002/(sici)1097-0258(19980815/30)17:15/16<1661::aid-sim968>3.0.co;2-2"),
        ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("10.123456789/x", "10.123456789/x"),
    ],
)
def test_normalize_doi_valid(text, expected):
    assert normalize_doi(text) == expected
    assert parse_identifier(text) == Identifier("doi", expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "10.1/x",  # registrant code too short
        "10.123/x",
        "10.1234567890/x",  # registrant code too long
        "10.1001",
        "10.1001/",
        "10.1001/.",
        "11.1001/archpsyc",
        "doi:",
        "10.1001/arch psyc",
        "https://doi.org/",
        "https://doi.org/10.1/x",
        "https://example.org/10.1001/archpsyc.63.8.856",
    ],
)
def test_normalize_doi_invalid(text):
    assert normalize_doi(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://example.org/a/b?x=1", "https://example.org/a/b?x=1"),
        ("HTTPS://Example.ORG/Path/Case?Q=A", "https://example.org/Path/Case?Q=A"),
        ("http://example.org/page#section-2", "http://example.org/page"),
        ("https://example.org", "https://example.org"),
        ("https://User:Pw@Example.org:8080/x", "https://User:Pw@example.org:8080/x"),
        ("https://pubmed.ncbi.nlm.nih.gov/?term=123", "https://pubmed.ncbi.nlm.nih.gov/?term=123"),
        ("https://doi.org/10.1/x", "https://doi.org/10.1/x"),
    ],
)
def test_parse_other_url(text, expected):
    assert parse_identifier(text) == Identifier("url", expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "foo",
        "-1",
        "0",
        "PMC",
        "10.1/x",
        "example.org/page",
        "ftp://example.org/file",
        "https://",
        "https://exa mple.org/",
        "https://[::1",
        "mailto:someone@example.org",
    ],
)
def test_parse_identifier_rejects(text):
    with pytest.raises(BadInput) as excinfo:
        parse_identifier(text)
    assert EXPECTED_FORMS in excinfo.value.message
    assert try_parse_identifier(text) is None


def test_bad_input_message():
    with pytest.raises(BadInput) as excinfo:
        parse_identifier(" foo ")
    assert str(excinfo.value) == (
        "not an identifier: 'foo' (expected a PMID like 16894061, a PMCID like PMC4810965, "
        "a DOI like 10.1001/archpsyc.63.8.856, or a PubMed, PMC, doi.org or web URL)"
    )


def test_bad_input_message_is_one_short_line():
    with pytest.raises(BadInput) as excinfo:
        parse_identifier("x\n" * 200)
    message = excinfo.value.message
    assert "\n" not in message
    assert len(message) < 300


@pytest.mark.parametrize(
    "identifier, text",
    [
        (Identifier("pmid", "16894061"), "pmid:16894061"),
        (Identifier("pmcid", "PMC4810965"), "PMC4810965"),
        (Identifier("doi", DOI), f"doi:{DOI}"),
        (Identifier("url", "https://example.org/a"), "https://example.org/a"),
    ],
)
def test_str_round_trips(identifier, text):
    assert str(identifier) == text
    assert parse_identifier(text) == identifier


def test_identifier_is_frozen_and_hashable():
    identifier = Identifier("pmid", "1")
    with pytest.raises(AttributeError):
        identifier.value = "2"
    assert len({identifier, Identifier("pmid", "1")}) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "[1] https://www.ncbi.nlm.nih.gov/pmc/articles/PMC4810965/",
            [Identifier("pmcid", "PMC4810965")],
        ),
        (
            "PMID: 16894061; PMCID: PMC3116441",
            [Identifier("pmid", "16894061"), Identifier("pmcid", "PMC3116441")],
        ),
        ("note = {doi: 10.1016/j.x.2020.1}", [Identifier("doi", "10.1016/j.x.2020.1")]),
        (
            "Kessler RC, et al. Arch Gen Psychiatry. 2006;63(8):856-64. "
            "doi:10.1001/archpsyc.63.8.856. PMID: 16894061.",
            [Identifier("doi", DOI), Identifier("pmid", "16894061")],
        ),
        (
            "See (https://doi.org/10.1001/ARCHPSYC.63.8.856) and doi.org/10.1001/archpsyc.63.8.856.",
            [Identifier("doi", DOI)],
        ),
        (
            "Available at https://pubmed.ncbi.nlm.nih.gov/16894061/, "
            "http://www.ncbi.nlm.nih.gov/pubmed/10686270?dopt=Abstract and "
            "https://europepmc.org/abstract/MED/16894061.",
            [Identifier("pmid", "16894061"), Identifier("pmid", "10686270")],
        ),
        (
            "[PMC free article](https://pmc.ncbi.nlm.nih.gov/articles/PMC2883744.1/) pmc2883744",
            [Identifier("pmcid", "PMC2883744")],
        ),
        (
            "Retrieved from https://example.org/report#p3. Accessed 2020.",
            [Identifier("url", "https://example.org/report")],
        ),
        ('<a href="https://Example.org/x">link</a>', [Identifier("url", "https://example.org/x")]),
        ("10.1016/S0140-6736(20)30183-5", [Identifier("doi", "10.1016/s0140-6736(20)30183-5")]),
    ],
)
def test_find_identifiers(text, expected):
    assert find_identifiers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Published 2006, volume 63, pages 856-864, 16894061 participants.",
        "PMIDs were collected; pmid 0 and PMID: 0123 are not valid.",
        "version 110.1001/archpsyc is not a DOI, nor is 10.1/x.",
        "PMCID: and PMC alone are not identifiers",
    ],
)
def test_find_identifiers_finds_nothing(text):
    assert find_identifiers(text) == []

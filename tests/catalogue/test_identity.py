"""A work is found by its DOI, arXiv id or link however a list spells them, and identifiers that
name two different works are refused with one sentence naming both."""

import json
from pathlib import Path

import pytest

from catalogue.identity import (
    IdentifierError,
    Identity,
    IdentityConflict,
    WorkIndex,
    canonical_url,
    duplicates,
    identity_of,
    normalise_arxiv,
    normalise_doi,
)

SHIPPED = Path(__file__).resolve().parents[2] / "fixtures" / "papers.json"

TOY_MODELS = "Toy Models of Superposition"
IOI = "Interpretability in the Wild"


def one_sentence(message: str) -> bool:
    return message.endswith(".") and "\n" not in message and message[0].isupper()


# --- arXiv ------------------------------------------------------------------------------------


def test_an_arxiv_abstract_page_with_a_version_and_its_pdf_are_one_work():
    abstract = identity_of(url="https://arxiv.org/abs/2209.10652v2")
    pdf = identity_of(url="https://arxiv.org/pdf/2209.10652")
    index = WorkIndex([(TOY_MODELS, abstract)])

    assert index.find(pdf) == TOY_MODELS
    assert canonical_url("https://arxiv.org/abs/2209.10652v2") == canonical_url(
        "https://arxiv.org/pdf/2209.10652"
    )


@pytest.mark.parametrize(
    "written",
    [
        "2209.10652",
        "2209.10652v2",
        "arXiv:2209.10652",
        "arxiv:2209.10652v1",
        " 2209.10652 ",
        "https://arxiv.org/abs/2209.10652",
        "http://arxiv.org/abs/2209.10652v2",
        "https://www.arxiv.org/abs/2209.10652v2/",
        "https://arxiv.org/pdf/2209.10652",
        "https://arxiv.org/pdf/2209.10652v2",
        "https://arxiv.org/pdf/2209.10652v2.pdf",
        "https://arxiv.org/pdf/2209.10652.pdf",
        "https://arxiv.org/html/2209.10652v2",
        "https://arxiv.org/html/2209.10652v2/#S3",
        "https://export.arxiv.org/abs/2209.10652",
        "https://ar5iv.labs.arxiv.org/html/2209.10652",
        "arxiv.org/abs/2209.10652v2",
        "https://arxiv.org/abs/2209.10652?context=cs",
    ],
)
def test_every_way_of_writing_an_arxiv_id_gives_the_id_without_its_version(written):
    assert normalise_arxiv(written) == "2209.10652"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v1", "hep-th/9901001"),
        ("arXiv:hep-th/9901001v3", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v1", "hep-th/9901001"),
        ("https://arxiv.org/pdf/hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("math.gt/0309136v2", "math.GT/0309136"),
        ("0704.0001", "0704.0001"),
    ],
)
def test_an_old_style_arxiv_id_keeps_its_archive_and_subject_class(written, normalised):
    assert normalise_arxiv(written) == normalised


@pytest.mark.parametrize(
    "written",
    ["2209", "2213.10652", "2209.106", "arXiv:", "toy models", "https://arxiv.org/list/cs.LG/new"],
)
def test_a_value_that_is_no_arxiv_id_is_refused_with_one_sentence(written):
    with pytest.raises(IdentifierError) as refused:
        normalise_arxiv(written)

    assert f"'{written}'" in str(refused.value)
    assert str(refused.value).endswith(".")


def test_an_arxiv_page_that_is_not_a_paper_is_an_ordinary_link():
    assert canonical_url("https://arxiv.org/list/cs.LG/recent/") == (
        "https://arxiv.org/list/cs.LG/recent"
    )
    assert identity_of(url="https://arxiv.org/list/cs.LG/recent").arxiv == ""


# --- DOIs -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "10.1073/pnas.2206625119",
        "10.1073/PNAS.2206625119",
        "doi:10.1073/pnas.2206625119",
        "DOI: 10.1073/pnas.2206625119",
        "https://doi.org/10.1073/pnas.2206625119",
        "http://dx.doi.org/10.1073/pnas.2206625119",
        "https://www.doi.org/10.1073/PNAS.2206625119",
        "doi.org/10.1073/pnas.2206625119",
        "https://doi.org/10.1073%2Fpnas.2206625119",
        "urn:doi:10.1073/pnas.2206625119",
        "info:doi/10.1073/pnas.2206625119",
        "  10.1073/pnas.2206625119\n",
    ],
)
def test_every_way_of_writing_a_doi_gives_the_bare_lowercase_doi(written):
    assert normalise_doi(written) == "10.1073/pnas.2206625119"


def test_a_doi_org_link_and_a_bare_doi_are_one_work():
    index = WorkIndex([("AlphaZero", identity_of(doi="10.1073/pnas.2206625119"))])

    by_link = identity_of(url="https://doi.org/10.1073/pnas.2206625119")

    assert by_link.doi == "10.1073/pnas.2206625119"
    assert index.find(by_link) == "AlphaZero"


def test_a_doi_is_found_whatever_its_case():
    index = WorkIndex([("Toward Transparent AI", identity_of(doi="10.1109/SaTML54575.2023.00039"))])

    assert index.find(identity_of(doi="10.1109/satml54575.2023.00039")) == "Toward Transparent AI"


def test_arxivs_own_doi_finds_the_work_known_by_its_arxiv_id():
    index = WorkIndex([("BERT illusion", identity_of(arxiv_id="2104.07143"))])

    assert index.find(identity_of(doi="10.48550/arXiv.2104.07143")) == "BERT illusion"


@pytest.mark.parametrize("written", ["10.1/x", "11.1234/abc", "10.1234", "doi:", "10.1234/a b"])
def test_a_value_that_is_no_doi_is_refused_with_one_sentence(written):
    with pytest.raises(IdentifierError, match="is not a DOI"):
        normalise_doi(written)


# --- Links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "https://distill.pub/2020/circuits/zoom-in",
        "https://distill.pub/2020/circuits/zoom-in/",
        "https://www.distill.pub/2020/circuits/zoom-in/",
        "http://distill.pub/2020/circuits/zoom-in/",
        "HTTPS://Distill.PUB/2020/circuits/zoom-in/",
        "https://distill.pub:443/2020/circuits/zoom-in/",
        "https://distill.pub/2020/circuits/zoom-in/#claim-1",
        "https://distill.pub/2020/circuits/zoom-in/index.html",
        "distill.pub/2020/circuits/zoom-in/",
    ],
)
def test_www_a_trailing_slash_the_scheme_and_a_fragment_do_not_make_another_work(written):
    assert canonical_url(written) == "https://distill.pub/2020/circuits/zoom-in"


def test_tracking_parameters_are_dropped_and_the_rest_kept_in_order():
    written = "https://example.org/post?utm_source=twitter&b=2&fbclid=x&a=1&gclid=y&UTM_Medium=z"

    assert canonical_url(written) == "https://example.org/post?a=1&b=2"
    assert canonical_url("https://example.org/post?utm_campaign=launch") == (
        "https://example.org/post"
    )


def test_a_different_path_query_or_port_is_a_different_work():
    zoom_in = canonical_url("https://distill.pub/2020/circuits/zoom-in/")

    assert canonical_url("https://distill.pub/2020/circuits/") != zoom_in
    assert canonical_url("https://distill.pub/2020/circuits/Zoom-In/") != zoom_in
    assert canonical_url("https://example.org/p?id=1") != canonical_url(
        "https://example.org/p?id=2"
    )
    assert canonical_url("https://example.org:8080/") != canonical_url("https://example.org/")


def test_a_site_root_keeps_its_slash():
    assert canonical_url("https://colah.github.io") == "https://colah.github.io/"
    assert canonical_url("https://www.colah.github.io/#posts") == "https://colah.github.io/"


def test_a_youtube_short_link_a_share_link_and_the_watch_page_are_one_video():
    watch = "https://youtube.com/watch?v=KV5gbOmHbjU"

    assert canonical_url("https://www.youtube.com/watch?v=KV5gbOmHbjU") == watch
    assert canonical_url("https://youtu.be/KV5gbOmHbjU?si=share-id") == watch
    assert canonical_url("https://m.youtube.com/watch?v=KV5gbOmHbjU&t=120s") == watch
    assert canonical_url("https://www.youtube.com/embed/KV5gbOmHbjU") == watch
    assert canonical_url("https://youtube.com/watch?v=another") != watch


def test_an_alignment_forum_post_is_its_lesswrong_post_whatever_the_slug():
    lesswrong = canonical_url(
        "https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/interpreting-gpt-the-logit-lens"
    )

    assert lesswrong == "https://lesswrong.com/posts/AcKRB8wDpdaN6v6ru"
    assert canonical_url("https://www.alignmentforum.org/posts/AcKRB8wDpdaN6v6ru") == lesswrong
    assert canonical_url("https://www.lesswrong.com/posts/AcKRB8wDpdaN6v6ru/old-slug") == lesswrong
    assert canonical_url("https://www.lesswrong.com/posts/N6WM6hs7RQMKDhYjB") != lesswrong


def test_a_github_repository_is_one_work_whatever_the_case_of_its_name():
    repository = canonical_url("https://github.com/TransformerLensOrg/TransformerLens")

    assert canonical_url("https://www.github.com/transformerlensorg/transformerlens/") == repository
    assert canonical_url("https://github.com/TransformerLensOrg/TransformerLens.git") == repository
    assert canonical_url("https://github.com") == "https://github.com/"
    assert canonical_url("https://github.com/TransformerLensOrg") == (
        "https://github.com/transformerlensorg"
    )
    assert canonical_url(
        "https://github.com/TransformerLensOrg/TransformerLens/blob/main/README.md"
    ) != (
        canonical_url("https://github.com/TransformerLensOrg/TransformerLens/blob/main/readme.md")
    )


def test_an_arxiv_or_doi_link_is_recognised_rather_than_kept_as_a_plain_link():
    assert canonical_url("https://arxiv.org/pdf/2209.10652v2.pdf") == (
        "https://arxiv.org/abs/2209.10652"
    )
    assert canonical_url("http://dx.doi.org/10.23915/DISTILL.00024.001") == (
        "https://doi.org/10.23915/distill.00024.001"
    )


@pytest.mark.parametrize("written", ["ftp://example.org/paper.pdf", "toy models", "mailto:a@b.c"])
def test_a_value_that_is_no_web_link_is_refused_with_one_sentence(written):
    with pytest.raises(IdentifierError, match="is not a web link"):
        canonical_url(written)


# --- One work's identity ----------------------------------------------------------------------


def test_keys_name_every_identifier_a_work_is_known_by():
    identity = identity_of(
        doi="10.18653/v1/2023.acl-long.893",
        arxiv_id="2209.02535v3",
        url="https://aclanthology.org/2023.acl-long.893/",
    )

    assert identity.keys() == (
        "doi:10.18653/v1/2023.acl-long.893",
        "arxiv:2209.02535",
        "url:https://aclanthology.org/2023.acl-long.893",
    )


def test_a_link_to_an_arxiv_paper_or_a_doi_gives_its_key_too():
    arxiv_link = identity_of(url="https://arxiv.org/pdf/2211.00593v1").keys()
    doi_link = identity_of(url="https://doi.org/10.23915/distill.00030").keys()

    assert arxiv_link == ("arxiv:2211.00593", "url:https://arxiv.org/abs/2211.00593")
    assert doi_link == ("doi:10.23915/distill.00030", "url:https://doi.org/10.23915/distill.00030")


def test_a_work_with_no_identifiers_has_no_keys_and_finds_nothing():
    nothing = identity_of()

    assert nothing == Identity()
    assert nothing.keys() == ()
    assert not nothing
    assert WorkIndex([(TOY_MODELS, identity_of(arxiv_id="2209.10652"))]).find(nothing) is None


def test_identifiers_of_one_work_that_name_two_arxiv_papers_are_refused_naming_it():
    with pytest.raises(IdentityConflict) as refused:
        identity_of(arxiv_id="2209.10652", url="https://arxiv.org/abs/2211.00593", work=TOY_MODELS)

    message = str(refused.value)
    assert one_sentence(message)
    assert f"'{TOY_MODELS}'" in message
    assert "2209.10652" in message and "https://arxiv.org/abs/2211.00593" in message


def test_arxivs_doi_for_another_paper_than_the_arxiv_id_is_refused():
    with pytest.raises(IdentityConflict, match="two different arXiv papers"):
        identity_of(doi="10.48550/arXiv.2211.00593", arxiv_id="2209.10652")


def test_a_doi_and_a_doi_link_that_disagree_are_refused():
    with pytest.raises(IdentityConflict, match="two different DOIs"):
        identity_of(doi="10.23915/distill.00030", url="https://doi.org/10.23915/distill.00029")


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"doi": "not-a-doi"}, "has DOI 'not-a-doi'"),
        ({"arxiv_id": "2209"}, "has arXiv id '2209'"),
        ({"url": "ftp://example.org"}, "has link 'ftp://example.org'"),
        ({"doi": "10.48550/arXiv.toy"}, "has DOI '10.48550/arXiv.toy'"),
    ],
)
def test_an_identifier_that_is_not_one_is_refused_with_one_sentence_naming_the_work(given, named):
    with pytest.raises(IdentifierError) as refused:
        identity_of(**given, work=TOY_MODELS)

    message = str(refused.value)
    assert one_sentence(message)
    assert message.startswith(f"The work '{TOY_MODELS}' {named}, which ")


# --- Finding known works ----------------------------------------------------------------------


def known() -> WorkIndex:
    return WorkIndex(
        [
            (TOY_MODELS, identity_of(arxiv_id="2209.10652")),
            (IOI, identity_of(doi="10.48550/arXiv.2211.00593")),
            (
                "Zoom In",
                identity_of(
                    doi="10.23915/distill.00024.001",
                    url="https://distill.pub/2020/circuits/zoom-in/",
                ),
            ),
        ]
    )


def test_a_work_is_found_by_any_one_of_its_identifiers():
    index = known()

    assert index.find(identity_of(url="https://distill.pub/2020/circuits/zoom-in")) == "Zoom In"
    assert index.find(identity_of(doi="10.23915/DISTILL.00024.001")) == "Zoom In"
    assert index.find(identity_of(arxiv_id="2211.00593v3")) == IOI
    assert index.find(identity_of(url="https://distill.pub/2020/circuits/early-vision/")) is None
    assert len(index) == 3


def test_a_conflicting_identity_is_refused_with_a_sentence_naming_both_works():
    index = known()

    with pytest.raises(IdentityConflict) as refused:
        index.find(identity_of(arxiv_id="2209.10652", doi="10.23915/distill.00024.001"), name="X")

    assert str(refused.value) == (
        "The work 'X' has DOI 10.23915/distill.00024.001, which is 'Zoom In', and arXiv id "
        f"2209.10652, which is '{TOY_MODELS}': one work cannot be two."
    )


def test_a_conflict_is_a_value_error_for_callers_that_refuse_bad_input():
    assert issubclass(IdentityConflict, ValueError)
    assert issubclass(IdentifierError, ValueError)


def test_adding_a_second_work_under_a_known_identifier_is_refused():
    index = known()

    with pytest.raises(IdentityConflict) as refused:
        index.add("Toy Models (preprint)", identity_of(url="https://arxiv.org/pdf/2209.10652v1"))

    assert str(refused.value) == (
        "The work 'Toy Models (preprint)' has arXiv id 2209.10652, which is already "
        f"'{TOY_MODELS}': one work cannot be two."
    )
    assert index.find(identity_of(arxiv_id="2209.10652")) == TOY_MODELS
    assert len(index) == 3


def test_adding_a_work_whose_identifiers_are_two_known_works_is_refused_and_changes_nothing():
    index = known()

    with pytest.raises(IdentityConflict, match="one work cannot be two"):
        index.add(
            "Merged",
            identity_of(arxiv_id="2209.10652", url="https://distill.pub/2020/circuits/zoom-in"),
        )

    assert index.find(identity_of(arxiv_id="2209.10652")) == TOY_MODELS
    assert len(index) == 3


def test_a_known_work_learns_the_identifiers_it_lacked():
    index = known()

    index.add(
        TOY_MODELS,
        identity_of(
            arxiv_id="2209.10652", url="https://transformer-circuits.pub/2022/toy_model/index.html"
        ),
    )

    assert (
        index.find(identity_of(url="https://transformer-circuits.pub/2022/toy_model/"))
        == TOY_MODELS
    )
    assert len(index) == 3


def test_a_refusal_names_works_as_the_caller_describes_them():
    index = WorkIndex(
        [
            (("toy-models", 1), identity_of(arxiv_id="2209.10652")),
            (("zoom-in", 1), identity_of(doi="10.23915/distill.00024.001")),
        ],
        describe=lambda key: f"{key[0]} #{key[1]}",
    )

    with pytest.raises(IdentityConflict, match=r"which is 'zoom-in #1'.*which is 'toy-models #1'"):
        index.find(identity_of(arxiv_id="2209.10652", doi="10.23915/distill.00024.001"))


# --- One list's duplicates --------------------------------------------------------------------


def test_duplicates_lists_the_works_of_one_list_that_are_one_work():
    found = duplicates(
        [
            ("toy-abs", identity_of(url="https://arxiv.org/abs/2209.10652v2")),
            ("framework", identity_of(url="https://transformer-circuits.pub/2021/framework/")),
            ("toy-pdf", identity_of(url="https://arxiv.org/pdf/2209.10652")),
            ("ioi", identity_of(arxiv_id="2211.00593")),
            (
                "framework-index",
                identity_of(url="https://transformer-circuits.pub/2021/framework/index.html"),
            ),
        ]
    )

    assert [same.works for same in found] == [
        ("toy-abs", "toy-pdf"),
        ("framework", "framework-index"),
    ]
    assert found[0].keys == ("arxiv:2209.10652", "url:https://arxiv.org/abs/2209.10652")
    assert found[1].keys == ("url:https://transformer-circuits.pub/2021/framework",)


def test_works_tied_through_a_third_are_one_group():
    found = duplicates(
        [
            ("a", identity_of(doi="10.1162/tacl_a_00349")),
            ("b", identity_of(arxiv_id="2002.12327")),
            ("c", identity_of(doi="10.1162/TACL_A_00349", arxiv_id="2002.12327")),
        ]
    )

    assert [same.works for same in found] == [("a", "b", "c")]


def test_a_list_with_no_repeated_work_has_no_duplicates():
    assert (
        duplicates(
            [("a", identity_of(arxiv_id="2209.10652")), ("b", identity_of()), ("c", identity_of())]
        )
        == []
    )


# --- The shipped list -------------------------------------------------------------------------


def shipped(model: str) -> list[dict]:
    records = json.loads(SHIPPED.read_text(encoding="utf-8"))
    return [r["fields"] for r in records if r["model"] == f"catalogue.{model}"]


def shipped_works() -> list[tuple[tuple[str, int], Identity]]:
    """Each shipped work as (citing entry, position) and its identity."""
    cited = {c["work"][0]: (c["entry"][0], c["position"]) for c in shipped("citation")}
    return [
        (
            cited[work["slug"]],
            identity_of(work["doi"], work["arxiv_id"], work["url"], work=work["title"]),
        )
        for work in shipped("work")
    ]


def test_every_work_in_the_shipped_list_normalises_and_has_a_key():
    works = shipped_works()

    assert len(works) == len(shipped("work")) > 30
    assert all(identity.keys() for _, identity in works)


def test_every_entry_link_in_the_shipped_list_normalises():
    for entry in shipped("paper"):
        assert canonical_url(entry["url"]).startswith("https://"), entry["slug"]


def test_no_two_works_in_the_shipped_list_are_one_work():
    assert duplicates(shipped_works()) == []
    assert len(WorkIndex(shipped_works())) == len(shipped("work"))


def test_each_entrys_link_in_the_shipped_list_finds_its_own_main_work():
    index = WorkIndex(shipped_works())

    for entry in shipped("paper"):
        assert index.find(identity_of(url=entry["url"])) == (entry["slug"], 1), entry["slug"]


@pytest.mark.parametrize(
    ("another_list_writes", "work"),
    [
        ({"url": "https://arxiv.org/pdf/2209.10652v2"}, ("toy-models-of-superposition", 1)),
        ({"arxiv_id": "arXiv:2209.11895v1"}, ("induction-heads", 1)),
        (
            {"url": "https://transformer-circuits.pub/2021/framework/"},
            ("mathematical-framework", 1),
        ),
        ({"url": "https://doi.org/10.23915/DISTILL.00024.001"}, ("circuits-zoom-in", 1)),
        ({"url": "https://www.alignmentforum.org/posts/AcKRB8wDpdaN6v6ru"}, ("logit-lens", 1)),
        ({"url": "https://arxiv.org/abs/2301.05217v3"}, ("grokking-analysis", 3)),
        ({"url": "https://youtu.be/KV5gbOmHbjU"}, ("mathematical-framework-walkthrough", 1)),
        ({"doi": "10.48550/arXiv.2211.00593"}, ("ioi", 1)),
    ],
)
def test_a_shipped_work_is_found_by_the_spellings_other_lists_use(another_list_writes, work):
    assert WorkIndex(shipped_works()).find(identity_of(**another_list_writes)) == work

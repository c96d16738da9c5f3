"""Which work an identifier names.

A work cited by several curricula is one row, found by its DOI, its arXiv id or its link. Lists
spell these differently (`arXiv:2209.10652`, `arxiv.org/pdf/2209.10652v2`, `https://doi.org/10.…`,
a link with `utm_source` on it), so each is brought to one spelling here before it is compared.
The spellings are keys for finding a work, not the values a work stores or shows: a work keeps
its publisher's own DOI and link.

Pure Python, no database: the fixture loader and the list importer build a `WorkIndex` from the
works they know and ask it about each work they read.
"""

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit


class IdentifierError(ValueError):
    """A value given as a DOI, arXiv id or link that is not one; the message is one sentence."""

    def __init__(self, value: str, reason: str, *, given_as: str = "") -> None:
        self.value, self.reason = value, reason
        # given_as names where the value came from: "The work 'X' has DOI".
        super().__init__(
            f"{given_as} '{value}', which {reason}" if given_as else f"'{value}' {reason}"
        )


class IdentityConflict(ValueError):
    """Identifiers that name two different works; the message is one sentence naming both."""


# --- DOIs -------------------------------------------------------------------------------------

DOI = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_HOSTS = {"doi.org", "dx.doi.org"}
# The prefixes a DOI is written with: a resolver's link, a URN, `doi:`.
DOI_PREFIXES = re.compile(
    r"^(?:(?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/|urn:doi:|info:doi/|doi:\s*)", re.IGNORECASE
)
# arXiv registers a DOI for every paper (10.48550/arXiv.2104.07143): the same work as the id.
ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$")


def normalise_doi(value: str) -> str:
    """The DOI in `value`, lowercase and bare (DOIs are case-insensitive): `doi:10.1/X`,
    `https://doi.org/10.1/X` and `10.1/x` all give `10.1/x`; empty gives empty."""
    text = value.strip()
    if not text:
        return ""
    bare = DOI_PREFIXES.sub("", text, count=1).strip()
    if bare != text:
        bare = unquote(bare)  # a DOI inside a link may be percent-encoded (10.1000%2Fabc)
    doi = bare.lower()
    if not DOI.match(doi):
        raise IdentifierError(value, "is not a DOI: one looks like 10.1234/abc.")
    return doi


# --- arXiv ids --------------------------------------------------------------------------------

# Since April 2007: YYMM.NNNN or YYMM.NNNNN. Before: archive(.SUBJECT-CLASS)/YYMMNNN.
NEW_ARXIV = r"(?P<yymm>\d{4})\.\d{4,5}"
OLD_ARXIV = r"(?P<archive>[a-z][a-z\-]*)(?:\.(?P<subject>[a-z]{2}))?/(?P<yymmnnn>\d{7})"
ARXIV_ID = re.compile(rf"^(?P<id>{NEW_ARXIV}|{OLD_ARXIV})(?:v\d+)?$", re.IGNORECASE)
ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org", "ar5iv.org", "ar5iv.labs.arxiv.org"}
# /abs/ID, /pdf/ID, /pdf/ID.pdf, /html/ID/…, with or without a version.
ARXIV_PATH = re.compile(
    rf"^/(?:abs|pdf|html|format|ps|src)/(?P<id>(?:{NEW_ARXIV}|{OLD_ARXIV})(?:v\d+)?)"
    r"(?:\.pdf)?(?:/.*)?$",
    re.IGNORECASE,
)


def normalise_arxiv(value: str) -> str:
    """The arXiv id in `value` without its version: a bare id (`2209.10652v2`), one written
    `arXiv:2209.10652`, an old-style id (`hep-th/9901001v1`), or any arxiv.org link to the
    paper (abs, pdf, html, export.arxiv.org, ar5iv); empty gives empty."""
    text = value.strip()
    if not text:
        return ""
    bare = re.sub(r"^arxiv:\s*", "", text, flags=re.IGNORECASE)
    match = ARXIV_ID.match(bare)
    if not match and (found := _arxiv_in_link(text)):
        return found
    if not match or not _real_month(match):
        raise IdentifierError(
            value, "is not an arXiv id: one looks like 2209.10652 or hep-th/9901001."
        )
    if match["yymm"]:
        return match["id"]
    subject = f".{match['subject'].upper()}" if match["subject"] else ""
    return f"{match['archive'].lower()}{subject}/{match['yymmnnn']}"


def _real_month(match: re.Match) -> bool:
    digits = match["yymm"] or match["yymmnnn"]
    return 1 <= int(digits[2:4]) <= 12


def _arxiv_in_link(text: str) -> str:
    """The arXiv id a link points at, or empty when it is not a link to an arXiv paper."""
    parts = _split(text)
    if parts is None or _host(parts) not in ARXIV_HOSTS:
        return ""
    match = ARXIV_PATH.match(parts.path)
    return normalise_arxiv(match["id"]) if match else ""


def _doi_in_link(text: str) -> str:
    """The DOI a doi.org link resolves, or empty when it is not a doi.org link."""
    parts = _split(text)
    if parts is None or _host(parts) not in DOI_HOSTS or not parts.path.startswith("/10."):
        return ""
    return normalise_doi(unquote(parts.path[1:]))


# --- Links ------------------------------------------------------------------------------------

# Parameters that say who sent the reader, not what they read.
TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid"}
DEFAULT_PORTS = {"http": 80, "https": 443}
SCHEMELESS = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(/|$)", re.IGNORECASE)
YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "youtu.be"}
# An Alignment Forum post is also a LessWrong post under the same id ("When a researcher posts
# on AlignmentForum, the post is shared with LessWrong": the forum's launch post,
# alignmentforum.org/posts/JiMAMNAb55Qq24nES). GreaterWrong shows LessWrong posts by the same id,
# and the slug after the id is decoration: the id alone finds the post.
LESSWRONG_HOSTS = {"lesswrong.com", "alignmentforum.org", "greaterwrong.com"}
LESSWRONG_POST = re.compile(r"^/(?:s/[^/]+/p|posts)/(?P<id>[A-Za-z0-9]+)(?:/.*)?$")


def canonical_url(value: str) -> str:
    """The one spelling of a link: https, lowercase host without `www.`, no default port, no
    fragment, no trailing slash (but the root's) nor `index.html`, tracking parameters (utm_*,
    fbclid, gclid…) dropped and the rest sorted. A link to an arXiv paper gives its abstract
    page, a doi.org link the DOI's; empty gives empty."""
    text = value.strip()
    if not text:
        return ""
    parts = _split(text)
    if parts is None:
        raise IdentifierError(value, "is not a web link: one starts with https://.")
    if arxiv := _arxiv_in_link(text):
        return f"https://arxiv.org/abs/{arxiv}"
    if doi := _doi_in_link(text):
        return f"https://doi.org/{doi}"
    host = _host(parts)
    try:
        port = parts.port
    except ValueError:
        raise IdentifierError(value, "has a port that is not a number.") from None
    if port and port != DEFAULT_PORTS[parts.scheme.lower()]:
        host = f"{host}:{port}"
    path = re.sub(r"%[0-9a-f]{2}", lambda m: m[0].upper(), parts.path)
    path = re.sub(r"/index\.html?$", "/", path)
    query = [
        (name, val)
        for name, val in parse_qsl(parts.query, keep_blank_values=True)
        if not name.lower().startswith("utm_") and name.lower() not in TRACKING
    ]
    host, path, query = _site_rules(host, path, query)
    path = path.rstrip("/") or "/"
    tail = f"?{urlencode(sorted(query))}" if query else ""
    return f"https://{host}{path}{tail}"


def _site_rules(host: str, path: str, query: list) -> tuple[str, str, list]:
    """Sites that give one work several links: YouTube's short and mobile links and share ids,
    LessWrong's slugs and its mirrors, GitHub's case-insensitive owners and repositories."""
    if host in YOUTUBE_HOSTS:
        video = path.strip("/") if host == "youtu.be" else ""
        if path.startswith("/embed/"):
            video = path.removeprefix("/embed/").strip("/")
        if path == "/watch":
            video = dict(query).get("v", "")
        if video:
            return "youtube.com", "/watch", [("v", video)]
        return "youtube.com", path, query
    if host in LESSWRONG_HOSTS and (post := LESSWRONG_POST.match(path)):
        return "lesswrong.com", f"/posts/{post['id']}", query
    if host == "github.com":
        # Owner and repository names are case-insensitive on GitHub; what follows them is not.
        segments = path.split("/", 3)  # "", owner, repository, the rest
        segments[1:3] = [segment.lower().removesuffix(".git") for segment in segments[1:3]]
        return host, "/".join(segments), query
    return host, path, query


def _split(text: str) -> SplitResult | None:
    """The parts of an http(s) link, reading `arxiv.org/abs/…` as `https://arxiv.org/abs/…`;
    None when the text is not such a link."""
    if text.startswith("//"):
        text = f"https:{text}"
    elif "://" not in text and SCHEMELESS.match(text):
        text = f"https://{text}"
    parts = urlsplit(text)
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts


def _host(parts: SplitResult) -> str:
    return parts.hostname.rstrip(".").removeprefix("www.")


# --- One work's identity ----------------------------------------------------------------------

LABELS = {"doi": "DOI", "arxiv": "arXiv id", "url": "link"}


@dataclass(frozen=True)
class Identity:
    """What a work is known by, each identifier in its one spelling (empty when unknown)."""

    doi: str = ""
    arxiv: str = ""
    url: str = ""

    def keys(self) -> tuple[str, ...]:
        """The typed keys a work is found by: `doi:…`, `arxiv:…`, `url:…`, the known ones."""
        return tuple(
            f"{kind}:{value}"
            for kind, value in (("doi", self.doi), ("arxiv", self.arxiv), ("url", self.url))
            if value
        )

    def __bool__(self) -> bool:
        return bool(self.doi or self.arxiv or self.url)


def describe_key(key: str) -> str:
    """A key as a sentence names it: `arXiv id 2209.10652`, `DOI 10.1/x`, `link https://…`."""
    kind, _, value = key.partition(":")
    return f"{LABELS[kind]} {value}"


def identity_of(doi: str = "", arxiv_id: str = "", url: str = "", *, work: str = "") -> Identity:
    """A work's identity from the identifiers it is given with. A link to an arXiv paper or a
    doi.org link gives the arXiv id or DOI too, and arXiv's own DOI (10.48550/arXiv.…) gives the
    arXiv id. An identifier that is not one, or identifiers that disagree with each other, are
    refused with one sentence naming `work`."""
    name = f"The work '{work}'" if work else "A work"
    doi_key = _read(normalise_doi, doi, f"{name} has DOI")
    arxiv_key = _read(normalise_arxiv, arxiv_id, f"{name} has arXiv id")
    url_key = _read(canonical_url, url, f"{name} has link")
    found = {
        "doi": [(doi_key, f"DOI {doi.strip()}")],
        "arxiv": [(arxiv_key, f"arXiv id {arxiv_id.strip()}")],
    }
    if match := ARXIV_DOI.match(doi_key):
        try:
            in_doi = normalise_arxiv(match["id"])
        except IdentifierError:
            reason = "is arXiv's but names no arXiv id."
            raise IdentifierError(doi, reason, given_as=f"{name} has DOI") from None
        found["arxiv"].append((in_doi, f"DOI {doi.strip()}"))
    if url_key:
        found["doi"].append((_doi_in_link(url), f"link {url.strip()}"))
        found["arxiv"].append((_arxiv_in_link(url), f"link {url.strip()}"))
    settled = {}
    for kind, claims in found.items():
        claims = [(value, said) for value, said in claims if value]
        for value, said in claims[1:]:
            if value != claims[0][0]:
                kind_name = "DOIs" if kind == "doi" else "arXiv papers"
                raise IdentityConflict(
                    f"{name} has {claims[0][1]} and {said}, which name two different "
                    f"{kind_name}: one work cannot be two."
                )
        settled[kind] = claims[0][0] if claims else ""
    return Identity(doi=settled["doi"], arxiv=settled["arxiv"], url=url_key)


def _read(normalise: Callable[[str], str], value: str, given_as: str) -> str:
    try:
        return normalise(value)
    except IdentifierError as error:
        raise IdentifierError(value, error.reason, given_as=given_as) from None


# --- Finding known works ----------------------------------------------------------------------


class WorkIndex[K: Hashable]:
    """The works known so far, by every key they are known by. `describe` names a work in a
    refusal (by default `str(work)`)."""

    def __init__(
        self,
        pairs: Iterable[tuple[K, Identity]] = (),
        *,
        describe: Callable[[K], str] = str,
    ) -> None:
        self._describe = describe
        self._works: dict[str, K] = {}
        for work, identity in pairs:
            self.add(work, identity)

    def __len__(self) -> int:
        return len(set(self._works.values()))

    def find(self, identity: Identity, *, name: str = "") -> K | None:
        """The one known work any of `identity`'s keys points at, or None. Keys that point at
        two different known works are refused with a sentence naming both and `name`."""
        keys = identity.keys()
        hits = [(key, self._works[key]) for key in keys if key in self._works]
        if not hits:
            return None
        first_key, first = hits[0]
        for key, other in hits[1:]:
            if other != first:
                who = f"The work '{name}'" if name else "A work"
                raise IdentityConflict(
                    f"{who} has {describe_key(first_key)}, which is '{self._describe(first)}', "
                    f"and {describe_key(key)}, which is '{self._describe(other)}': "
                    "one work cannot be two."
                )
        return first

    def add(self, work: K, identity: Identity) -> None:
        """Know `work` by every key of `identity` (a known work learns the keys it lacked).
        Refused when a key already belongs to another work."""
        name = self._describe(work)
        found = self.find(identity, name=name)
        keys = identity.keys()
        if found is not None and found != work:
            key = next(k for k in keys if self._works.get(k) == found)
            raise IdentityConflict(
                f"The work '{name}' has {describe_key(key)}, which is already "
                f"'{self._describe(found)}': one work cannot be two."
            )
        for key in keys:
            self._works[key] = work


@dataclass(frozen=True)
class SameWork[K: Hashable]:
    """Works in one list that are one work, and the keys that tie them together."""

    works: tuple[K, ...]
    keys: tuple[str, ...]


def duplicates[K: Hashable](pairs: Iterable[tuple[K, Identity]]) -> list[SameWork[K]]:
    """The groups of works in one list that are one work (sharing a key, directly or through
    another), in the order the list first names them: for a curator's report, never refused."""
    pairs = list(pairs)
    parent = list(range(len(pairs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    shared: set[str] = set()
    keys_of = [identity.keys() for _, identity in pairs]
    for i, keys in enumerate(keys_of):
        for key in keys:
            if key in owner:
                parent[root(i)] = root(owner[key])
                shared.add(key)
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}  # in the order of each group's first work
    for i in range(len(pairs)):
        groups.setdefault(root(i), []).append(i)
    found = []
    for members in groups.values():
        if len(members) < 2:
            continue
        order = [key for i in members for key in keys_of[i] if key in shared]
        found.append(
            SameWork(works=tuple(pairs[i][0] for i in members), keys=tuple(dict.fromkeys(order)))
        )
    return found

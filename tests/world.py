"""The shared world: an owner with data on everything a URL can name, and visitors around them.

The access matrix and the privacy tests ask what each visitor gets from every route in it.
"""

from dataclasses import dataclass

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groups import services as group_services
from progress import services
from progress.models import Status
from tests.factories import AdviceFactory, PaperFactory, UserFactory

SECRET = "The owner's private thought"


def walk(patterns=None, namespace: str = "", parameters: tuple[str, ...] = ()):
    """Yield (route name, its URL parameter names) for every route; None names an unnamed one."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        names = parameters + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                yield "admin:index", ()
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, names)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), names


def routes() -> dict[str, tuple[str, ...]]:
    return dict(walk())


def url_for(name: str, values: dict) -> str:
    """A concrete URL for a route, its parameters filled from `values`."""
    return reverse(name, kwargs={p: values[p] for p in routes()[name]})


@dataclass
class World:
    """The visitors, and the values that fill URL parameters with the owner's data."""

    users: dict[str, object]
    arguments: dict[str, object]

    @property
    def owner(self):
        return self.users["owner"]

    @property
    def missing(self) -> dict[str, object]:
        """URL parameter values that name nothing."""
        return {**self.arguments, "slug": "no-such-thing", "version": 999, "member_id": 999_999}

    def client(self, actor: str) -> Client:
        """A new client for one request, so that signing out cannot leak into the next."""
        client = Client()
        if actor != "anonymous":
            client.force_login(self.users[actor])
        return client

    def url(self, name: str) -> str:
        return url_for(name, self.arguments)


def build_world() -> World:
    """An entry "owned" with one advised part, on which the owner has a status, a tick and a
    note with two versions; a reading group "owned" that the owner facilitates, with one more
    member. Another reader and a staff member have nothing and belong to no group."""
    paper = PaperFactory(slug="owned")
    advice = AdviceFactory(paper=paper, position=1)
    owner = UserFactory(username="owner")
    services.set_status(reader=owner, paper=paper, status=Status.READING)
    services.set_parts_done(reader=owner, paper=paper, shown={advice.key}, done={advice.key})
    services.save_note(reader=owner, paper=paper, text=SECRET, base_version=0)
    services.save_note(reader=owner, paper=paper, text=f"{SECRET}, revised", base_version=1)
    group = group_services.create_group(reader=owner, name="owned")
    member = group_services.join(reader=UserFactory(username="member"), token=group.invite_token)
    users = {
        "other": UserFactory(username="other"),
        "owner": owner,
        "staff": UserFactory(username="staffer", is_staff=True, is_superuser=True),
    }
    arguments = {
        "slug": "owned",
        # An entry inside a curriculum's URL (/lists/<slug>/changes/<entry>/).
        "entry": "owned",
        "version": 1,
        "member_id": member.pk,
        # One name for two parameters: this group's invite token, and (not being one) an
        # invalid password-reset token.
        "token": group.invite_token,
        "uidb64": "MQ",
    }
    assert group.slug == paper.slug == arguments["slug"]
    return World(users=users, arguments=arguments)

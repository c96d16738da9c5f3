"""Input parsing for the reader's actions."""

import re
from collections.abc import Iterable

from django import forms

from catalogue.models import Kind, Section
from progress.models import NOTE_MAX_LENGTH, Status


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class SlugListField(forms.MultipleChoiceField):
    """Any number of part keys (slugs), each checked for shape only."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and bool(re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", value))


class PartsForm(forms.Form):
    """An entry's whole checklist: the parts it showed, and which of them are ticked."""

    # Parts are named by their key, never by position: a page loaded before a curator reordered
    # the parts still ticks the parts its reader saw. Which keys exist is the service's business.
    shown = SlugListField(required=False)
    done = SlugListField(required=False)

    def clean(self):
        cleaned = super().clean()
        shown, done = set(cleaned.get("shown", [])), set(cleaned.get("done", []))
        if not done <= shown:
            raise forms.ValidationError("A ticked part was not on the form.")
        return {"shown": shown, "done": done}


class NoteForm(forms.Form):
    text = forms.CharField(
        required=False,
        strip=False,
        max_length=NOTE_MAX_LENGTH,
        error_messages={
            "max_length": (
                f"This note is over {NOTE_MAX_LENGTH:,} characters "
                "(it has %(show_value)s,d). Nothing was saved; shorten it and save again."
            )
        },
        widget=forms.Textarea(attrs={"rows": 12}),
    )
    base_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)
    # "end" when the page is being hidden or left: this save closes the sitting's revision.
    sitting = forms.CharField(required=False, widget=forms.HiddenInput)


class RestoreForm(forms.Form):
    base_version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)


def tier_choices(tiers: Iterable[Section]) -> list[tuple[str, str]]:
    """A tier filter's choices for a list's top-level sections (in list order): each by its
    rank, named as its heading names it ("Priority 2", "Stage 2", or a topic's title). Sections
    sharing a rank are one choice, as the filter (by rank) cannot tell them apart."""
    named: dict[str, list[str]] = {}
    for section in tiers:
        named.setdefault(str(section.priority), []).append(section.rank_label or section.title)
    return [(rank, " / ".join(dict.fromkeys(names))) for rank, names in named.items()]


class FilterForm(forms.Form):
    """Dashboard filters; every field optional, bad values are ignored rather than refused.

    `tiers`: the top-level sections of the list filtered, which the tier field offers; a tier
    the list does not have is a bad value like any other."""

    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    tier = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    q = forms.CharField(required=False, max_length=200, label="Search", widget=forms.SearchInput)

    def __init__(self, *args, tiers: Iterable[Section] = (), **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["tier"].choices = [("", "Any tier"), *tier_choices(tiers)]

    def cleaned(self) -> dict:
        """The valid filters only, so a hand-edited URL never breaks the page."""
        if self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in self.errors and v not in (None, "")
        }

"""Input parsing for reading groups."""

import datetime as dt

from django import forms

from catalogue.models import Curriculum, Section
from groups.models import ReadingGroup, Sharing

MAX_MEMBERS = 500


class GroupForm(forms.ModelForm):
    # Named by slug, so the choice reads the same in a form post as in the list's address.
    curriculum = forms.ModelChoiceField(
        queryset=Curriculum.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=None,
        # Radios, not a select: a list's full title wraps at any width, and every list shows.
        widget=forms.RadioSelect,
        label="The list the group reads",
        help_text="Its progress, tiers and target dates follow this list.",
        error_messages={
            "invalid_choice": "There is no published list “%(value)s”: choose one of the "
            "lists offered."
        },
    )

    class Meta:
        model = ReadingGroup
        fields = ["name", "description", "curriculum"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"description": "Optional: what the group is for, when it meets."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["curriculum"].queryset = Curriculum.objects.readable().default_first()
        self.fields["curriculum"].initial = Curriculum.objects.default().slug

    def clean_curriculum(self) -> Curriculum:
        """The chosen curriculum; the default one when the post names none."""
        return self.cleaned_data["curriculum"] or Curriculum.objects.default()


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(
        choices=Sharing.choices, widget=forms.RadioSelect, label="What this group can see"
    )


class NewInviteForm(forms.Form):
    valid_for = forms.TypedChoiceField(
        label="The new link works for",
        choices=[("", "No time limit"), ("1", "1 day"), ("7", "7 days"), ("30", "30 days")],
        coerce=lambda days: dt.timedelta(days=int(days)),
        empty_value=None,
        required=False,
    )


class MemberCapForm(forms.Form):
    member_cap = forms.IntegerField(
        label="Most members (you included)",
        min_value=1,
        max_value=MAX_MEMBERS,
        required=False,
        help_text="Leave empty for no limit.",
    )


class TargetsForm(forms.Form):
    """One optional date per tier, named target-<section id>."""

    def __init__(
        self,
        *args,
        tiers: list[Section],
        targets: dict[int, dt.date],
        curriculum: Curriculum | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.tiers = tiers
        self.curriculum = curriculum
        for tier in tiers:
            self.fields[f"target-{tier.pk}"] = forms.DateField(
                # "Priority 2: …", "Stage 2: …" or the topic's title, after the curriculum.
                label=str(tier),
                required=False,
                initial=targets.get(tier.pk),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def clean(self) -> dict:
        """Refuse a date for a section that is not one of these tiers (another curriculum's, or
        a subsection): a target is set on a tier of the list the group reads, or nowhere."""
        cleaned = super().clean()
        asked = {key for key in self.data if key.startswith("target-")}
        if asked - set(self.fields):
            named = f"“{self.curriculum}”, " if self.curriculum else ""
            raise forms.ValidationError(
                f"Target dates can be set only on the tiers of {named}the list this group "
                "reads: a date for any other section is refused, and nothing was saved."
            )
        return cleaned

    def due(self) -> dict[Section, dt.date | None]:
        return {tier: self.cleaned_data[f"target-{tier.pk}"] for tier in self.tiers}


class DeriveTargetsForm(forms.Form):
    """Weekly hours the group means to read, and from when: the tier dates follow."""

    hours_per_week = forms.DecimalField(
        label="Hours a week the group reads", min_value=0.5, max_value=60, decimal_places=1
    )
    start = forms.DateField(
        label="Starting on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    # The whole list at the slowest pace takes years; a start within this range keeps every
    # derived date far inside what a date can hold (9999-12-31 overflowed, a 500).
    EARLIEST_START = dt.date(2000, 1, 1)
    LATEST_START = dt.date(2100, 12, 31)

    def clean_start(self) -> dt.date:
        start = self.cleaned_data["start"]
        if not self.EARLIEST_START <= start <= self.LATEST_START:
            raise forms.ValidationError(
                "Choose a start date between 1 January 2000 and 31 December 2100."
            )
        return start

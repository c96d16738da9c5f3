import zoneinfo
from functools import cache

from django import forms

from plans.models import MAX_HOURS_PER_WEEK, WEEKDAYS, ReadingPlan

REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip


@cache
def zone_choices() -> list:
    """Time zones grouped by region ("Europe": London, Paris, ...), each shown by its place with
    underscores as spaces; UTC first, and old aliases ("GB", "US/Eastern") last, under Other."""
    regions: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    other = []
    for name in sorted(zoneinfo.available_timezones()):
        region, _, place = name.partition("/")
        if region in regions and place:
            regions[region].append((name, place.replace("_", " ").replace("/", " / ")))
        elif name != "UTC":
            other.append((name, name))
    return [("", [("UTC", "UTC")]), *regions.items(), ("Other", other)]


class BudgetForm(forms.ModelForm):
    """Hours a week, reading days, when and where the reader reads."""

    days = forms.MultipleChoiceField(
        label="Reading days",
        choices=list(enumerate(WEEKDAYS)),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reading day."},
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=zone_choices,
        help_text="Your browser's zone is chosen for you when it is known.",
    )

    class Meta:
        model = ReadingPlan
        fields = ["hours_per_week", "session_time", "timezone", "use_pace"]
        labels = {
            "use_pace": "Scale the estimates by my own pace",
            "session_time": "Sessions start at",
        }
        widgets = {"session_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
        help_texts = {"hours_per_week": f"Between 0.5 and {MAX_HOURS_PER_WEEK}."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["days"] = [str(d) for d in self.instance.days]
        else:
            self.initial.setdefault("days", ["0", "2", "4"])
            self.initial.setdefault("timezone", "UTC")
            self.initial.setdefault("hours_per_week", 3)

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["reading_days"] = "".join(sorted(self.cleaned_data["days"]))
        return data


class AdjustForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("catch-up", "Catch up"), ("push-back", "Push back"), ("trim", "Trim")]
    )

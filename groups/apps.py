from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Reading groups"

    def ready(self) -> None:
        # plans may not import groups; groups hands it the reader's targets instead.
        from groups.plan_targets import targets_for
        from plans import targets

        targets.register(targets_for)

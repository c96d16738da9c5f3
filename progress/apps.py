from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "Readers' progress"

    def ready(self) -> None:
        # Every change to the list empties this process's copy of it at once (the catalogue's
        # version, read with every reader's rows, guards the other processes).
        from django.db.models.signals import post_delete, post_save

        from catalogue.signals import SHOWN_ON_PAGES
        from progress.changes import forget_editions
        from progress.summary import forget_list

        for model in SHOWN_ON_PAGES:
            for name, forget in (("list", forget_list), ("editions", forget_editions)):
                uid = f"progress-{name}-{model._meta.model_name}"
                post_save.connect(forget, sender=model, dispatch_uid=f"{uid}-save")
                post_delete.connect(forget, sender=model, dispatch_uid=f"{uid}-delete")

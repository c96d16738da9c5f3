"""Any saved or deleted row of the list (an admin edit, an inline, an action, a fixture row)
bumps the catalogue version, so no cached public page outlives the change. Bulk writes that send
no signals (queryset updates in the fixture load) bump it themselves."""

from django.db.models.signals import post_delete, post_save

from catalogue import pagecache
from catalogue.models import Advice, Citation, Edition, EditionContent, Paper, Section, Work

SHOWN_ON_PAGES = [Section, Paper, Advice, Work, Citation, Edition, EditionContent]


def list_changed(sender, **kwargs) -> None:
    pagecache.bump()


def connect() -> None:
    """Called once, from CatalogueConfig.ready()."""
    for model in SHOWN_ON_PAGES:
        uid = f"catalogue-version-{model._meta.model_name}"
        post_save.connect(list_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(list_changed, sender=model, dispatch_uid=f"{uid}-delete")

from django.core.management.base import BaseCommand, CommandError

from catalogue import editions


class Command(BaseCommand):
    help = "Publish the reading list as it stands as the next numbered edition, with a note."

    def add_arguments(self, parser):
        parser.add_argument(
            "--note", required=True, help="What changed, for readers (at most 500 characters)."
        )

    def handle(self, *args, note: str, **options):
        try:
            edition = editions.publish(note=note)
        except editions.EditionError as error:
            raise CommandError(str(error)) from None
        changed = len(edition.content.changes)
        self.stdout.write(
            f"Published edition {edition.number}: {changed} entr{'y' if changed == 1 else 'ies'} "
            "changed since the edition before."
        )

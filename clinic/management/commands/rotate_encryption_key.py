from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from clinic.encryption import EncryptedTextField

BATCH = 500


def encrypted_fields(model):
    return [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class Command(BaseCommand):
    help = (
        "Encrypt every encrypted value again with the first key in "
        "DJANGO_FIELD_ENCRYPTION_KEYS. To change the key: put the new key first and keep the "
        "old one after it, run this, then remove the old key. Safe to run again."
    )

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            count = 0
            rows = model._default_manager.only("pk", *fields).order_by("pk")
            with transaction.atomic():
                batch = []
                # Each value is read with whichever key opens it and saved with the first.
                for row in rows.iterator(chunk_size=BATCH):
                    batch.append(row)
                    if len(batch) == BATCH:
                        count += model._default_manager.bulk_update(batch, fields)
                        batch = []
                count += model._default_manager.bulk_update(batch, fields) if batch else 0
            self.stdout.write(f"{model._meta.label}: {count} rows encrypted with the first key.")

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [("clinic", None), ("portal", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_clinic_details_move_to_the_clinic_app_with_their_row_and_permissions():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    executor.loader.build_graph()  # reads which migrations are applied now
    loader = executor.loader
    applied = [key for key in loader.applied_migrations if key in loader.graph.nodes]
    old = loader.project_state(applied).apps
    old.get_model("portal", "ClinicDetails").objects.create(pk=1, name="Kept Clinic")
    ContentType = old.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="portal", model="clinicdetails")
    Permission = old.get_model("auth", "Permission")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="change_clinicdetails", defaults={"name": "Can change"}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from clinic.models import ClinicDetails

    assert ClinicDetails.load().name == "Kept Clinic"
    assert "clinic_clinicdetails" in connection.introspection.table_names()
    permission.refresh_from_db()
    assert permission.content_type.app_label == "clinic"

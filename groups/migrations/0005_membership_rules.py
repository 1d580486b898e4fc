"""Database constraints for the membership rules the code relies on.

Choices become CHECK constraints. "Every group keeps an active owner" spans rows, which no
CHECK can express, so a trigger guards it:

- PostgreSQL: a constraint trigger deferred to commit, so a transaction may pass through a
  moment without an owner (hand over, then step down) and deleting a group, which deletes its
  members first, is not refused. It locks the group row as `Group.objects.lock_for_ledger`
  does, so two transactions each removing a different owner are checked one after the other.
- SQLite: triggers cannot be deferred, so only updates are checked (a delete of the last owner
  is indistinguishable from deleting the group). SQLite rebuilds a table to alter it, which
  drops its triggers; the groups tests that update the last owner fail if a later migration
  does so without creating the trigger again.
"""

from django.conf import settings
from django.db import migrations, models


POSTGRESQL_KEEP_AN_OWNER = """
CREATE FUNCTION groups_member_keep_an_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM groups_group WHERE id = OLD.group_id FOR UPDATE;
    IF FOUND AND NOT EXISTS (
        SELECT 1 FROM groups_member
        WHERE group_id = OLD.group_id AND role = 'owner' AND is_active
    ) THEN
        RAISE EXCEPTION 'A group needs at least one active owner (group %).', OLD.group_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'groups_member_keeps_an_owner';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER groups_member_keeps_an_owner
    AFTER UPDATE OF role, is_active, group_id OR DELETE ON groups_member
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.role = 'owner' AND OLD.is_active)
    EXECUTE FUNCTION groups_member_keep_an_owner();
"""

POSTGRESQL_DROP = """
DROP TRIGGER groups_member_keeps_an_owner ON groups_member;
DROP FUNCTION groups_member_keep_an_owner();
"""

SQLITE_KEEP_AN_OWNER = """
CREATE TRIGGER groups_member_keeps_an_owner
AFTER UPDATE OF role, is_active, group_id ON groups_member
FOR EACH ROW
WHEN OLD.role = 'owner' AND OLD.is_active AND NOT EXISTS (
    SELECT 1 FROM groups_member
    WHERE group_id = OLD.group_id AND role = 'owner' AND is_active
)
BEGIN
    SELECT RAISE(ABORT, 'A group needs at least one active owner.');
END;
"""

SQLITE_DROP = "DROP TRIGGER groups_member_keeps_an_owner;"

INSTALL = {"postgresql": POSTGRESQL_KEEP_AN_OWNER, "sqlite": SQLITE_KEEP_AN_OWNER}
UNINSTALL = {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}


def run_for_vendor(statements):
    def run(apps, schema_editor):
        sql = statements.get(schema_editor.connection.vendor)
        if sql:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("groups", "0004_ledger_owns_balances"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='activity',
            constraint=models.CheckConstraint(condition=models.Q(('verb__in', ['group_created', 'group_updated', 'group_archived', 'group_unarchived', 'member_added', 'member_removed', 'member_deactivated', 'member_reactivated', 'role_changed', 'invite_created', 'invite_revoked', 'invite_emailed', 'invite_used', 'guest_claimed', 'expense_added', 'expense_edited', 'expense_deleted', 'expense_restored', 'payment_recorded', 'payment_deleted', 'payment_restored'])), name='groups_activity_known_verb'),
        ),
        migrations.AddConstraint(
            model_name='invite',
            constraint=models.CheckConstraint(condition=models.Q(('max_uses__isnull', True), ('uses__lte', models.F('max_uses')), _connector='OR'), name='groups_invite_uses_within_max'),
        ),
        migrations.AddConstraint(
            model_name='member',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'admin', 'member'])), name='groups_member_known_role'),
        ),
        # After the member constraint: on SQLite adding it rebuilds the table.
        migrations.RunPython(run_for_vendor(INSTALL), run_for_vendor(UNINSTALL)),
    ]

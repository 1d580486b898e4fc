from django.db import migrations, models

GUEST_CLAIMED = " joined and took over guest "


def drop_actor_from_summaries(apps, schema_editor):
    """Joining once wrote the actor's name into the summary, and the feed, which shows the actor
    before the summary, read "Carol Chen Carol Chen joined…"."""
    Activity = apps.get_model("groups", "Activity")
    Activity.objects.filter(verb="invite_used").exclude(
        summary="joined through an invite link"
    ).update(summary="joined through an invite link")
    claimed = Activity.objects.filter(verb="guest_claimed", summary__contains=GUEST_CLAIMED)
    for entry in claimed.only("summary").iterator():
        entry.summary = "joined and took over guest " + entry.summary.split(GUEST_CLAIMED, 1)[1]
        entry.save(update_fields=["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0006_activity_leave_and_undo_claim"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="activity",
            options={"verbose_name_plural": "activities"},
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(
                condition=models.Q(("verb__in", ["expense_deleted", "expense_restored"])),
                fields=["group", "id"],
                name="groups_activity_deletions",
            ),
        ),
        migrations.RunPython(drop_actor_from_summaries, migrations.RunPython.noop),
    ]

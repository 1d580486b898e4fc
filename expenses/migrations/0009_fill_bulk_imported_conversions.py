from django.db import migrations

# Rows written by the bulk import before it wrote the conversion columns took their database
# defaults: spent in no currency. They were spent in the group's, like every row of that time.
FILL = (
    "UPDATE expenses_expense SET original_amount = amount, original_currency = currency "
    "WHERE original_currency = ''"
)


class Migration(migrations.Migration):
    dependencies = [("expenses", "0008_deleted_index")]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]

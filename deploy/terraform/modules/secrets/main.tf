locals {
  # Values are NOT managed by Terraform (they would end up in the state):
  # docs/deploy.md shows the `aws secretsmanager put-secret-value` calls.
  secrets = {
    django_secret_key = "Django SECRET_KEY"
    email_url         = "EMAIL_URL for outgoing mail, e.g. smtp+tls://user:password@email-smtp.eu-west-1.amazonaws.com:587"
    metrics_token     = "Bearer token for GET /metrics (METRICS_TOKEN), shared by the app and the ADOT sidecar"
    # Passwords of the database roles that deploy/database/roles.sql creates (docs/deploy.md):
    # the app service logs in with DML rights only, the manage task with the migration role.
    db_app_password     = "Password of the app's database role (DML on the tables only)"
    db_migrate_password = "Password of the migration role, which owns the schema (manage task)"
    # What RDS Proxy signs in with (modules/rds, docs/capacity.md): the app role's user name and
    # the same password as db_app_password, as JSON {"username": ..., "password": ...}.
    db_app_proxy_login = "Login of the app's database role for RDS Proxy, as JSON (username, password)"
  }
}

module "kms" {
  source = "../kms"

  alias       = "${var.name}-secrets"
  description = "${var.name} application secrets and SSM parameters"

  tags = var.tags
}

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57:Application secrets (Django key, SMTP URL, metrics token, database role passwords) with no rotation Lambda; they are rotated by hand with the runbook in docs/deploy.md. The master password is RDS-managed and rotated by RDS.
  for_each = local.secrets

  name                    = "${var.name}/${replace(each.key, "_", "-")}"
  description             = each.value
  kms_key_id              = module.kms.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = var.tags
}

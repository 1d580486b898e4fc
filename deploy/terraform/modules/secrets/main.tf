data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # Values are NOT managed by Terraform (they would end up in the state):
  # docs/deploy.md shows the `aws secretsmanager put-secret-value` calls.
  secrets = {
    django_secret_key = "Django SECRET_KEY"
    email_url         = "EMAIL_URL for outgoing mail, e.g. smtp+tls://user:password@email-smtp.eu-west-1.amazonaws.com:587"
    metrics_token     = "Bearer token for GET /metrics (METRICS_TOKEN), shared by the app and the ADOT sidecar"
  }
}

resource "aws_kms_key" "secrets" {
  description             = "${var.name} application secrets and SSM parameters"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
    ]
  })

  tags = var.tags
}

resource "aws_kms_alias" "secrets" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.secrets.key_id
}

resource "aws_secretsmanager_secret" "this" {
  # checkov:skip=CKV2_AWS_57:These are application secrets (Django key, SMTP URL, metrics token) with no rotation Lambda; they are rotated by hand with the runbook in docs/deploy.md. The database password is RDS-managed and rotated by RDS.
  for_each = local.secrets

  name                    = "${var.name}/${replace(each.key, "_", "-")}"
  description             = each.value
  kms_key_id              = aws_kms_key.secrets.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = var.tags
}

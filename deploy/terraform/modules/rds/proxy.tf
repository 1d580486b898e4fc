# RDS Proxy in front of the instance (docs/capacity.md): each task opens workers × threads
# connections, so autoscaling to many tasks, and rolling deploys that briefly run two sets, would
# otherwise run into the instance's max_connections. The proxy holds a bounded pool to the
# instance and survives a Multi-AZ failover without the tasks reconnecting. The app service
# connects through it; the manage task (migrations) connects to the instance directly.

data "aws_region" "current" {}

locals {
  proxy_count = var.proxy_login_secret_arns == null ? 0 : 1
}

data "aws_iam_policy_document" "proxy_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["rds.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

# The proxy signs in to the database with the logins in these secrets, and nothing else.
data "aws_iam_policy_document" "proxy" {
  count = local.proxy_count

  statement {
    sid       = "ReadLogins"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.proxy_login_secret_arns)
  }

  statement {
    sid       = "DecryptLogins"
    actions   = ["kms:Decrypt"]
    resources = [var.proxy_secrets_kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${data.aws_region.current.name}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proxy" {
  count = local.proxy_count

  name               = "${var.name}-rds-proxy"
  assume_role_policy = data.aws_iam_policy_document.proxy_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "proxy" {
  count = local.proxy_count

  name   = "read-database-logins"
  role   = aws_iam_role.proxy[0].id
  policy = data.aws_iam_policy_document.proxy[0].json
}

resource "aws_security_group" "proxy" {
  # checkov:skip=CKV2_AWS_5:Attached to aws_db_proxy.this (vpc_security_group_ids), an attachment checkov does not follow.
  count = local.proxy_count

  name        = "${var.name}-db-proxy"
  description = "RDS Proxy: reachable from the application tasks only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-db-proxy" })
}

resource "aws_vpc_security_group_ingress_rule" "proxy_from_tasks" {
  count = local.proxy_count

  security_group_id            = aws_security_group.proxy[0].id
  description                  = "PostgreSQL from the application tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.client_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_proxy" {
  count = local.proxy_count

  security_group_id            = var.client_security_group_id
  description                  = "PostgreSQL to the database proxy"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.proxy[0].id
}

resource "aws_vpc_security_group_egress_rule" "proxy_to_db" {
  count = local.proxy_count

  security_group_id            = aws_security_group.proxy[0].id
  description                  = "PostgreSQL to the database"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_ingress_rule" "db_from_proxy" {
  count = local.proxy_count

  security_group_id            = aws_security_group.db.id
  description                  = "PostgreSQL from the database proxy"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.proxy[0].id
}

# Created here so that it has retention and KMS (the proxy would create it bare).
resource "aws_cloudwatch_log_group" "proxy" {
  count = local.proxy_count

  name              = "/aws/rds/proxy/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

resource "aws_db_proxy" "this" {
  count = local.proxy_count

  name                   = var.name
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy[0].arn
  vpc_subnet_ids         = var.subnet_ids
  vpc_security_group_ids = [aws_security_group.proxy[0].id]
  # Clients must use TLS, as they must with the instance (rds.force_ssl).
  require_tls = true
  # Longer than any idle spell of a task's pool; the pool reconnects on its own anyway.
  idle_client_timeout = 1800
  debug_logging       = false

  # One login per role that connects through the proxy: the secret holds its user name and
  # password as JSON; the proxy checks the client's password against it with SCRAM.
  dynamic "auth" {
    for_each = var.proxy_login_secret_arns
    content {
      description               = "${auth.key} role"
      auth_scheme               = "SECRETS"
      iam_auth                  = "DISABLED"
      client_password_auth_type = "POSTGRES_SCRAM_SHA_256"
      secret_arn                = auth.value
    }
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.proxy, aws_iam_role_policy.proxy]
}

resource "aws_db_proxy_default_target_group" "this" {
  count = local.proxy_count

  db_proxy_name = aws_db_proxy.this[0].name

  connection_pool_config {
    # Of the instance's max_connections: the rest stays for the manage task, the worker's
    # direct needs and an operator's psql.
    max_connections_percent      = var.proxy_max_connections_percent
    max_idle_connections_percent = 50
    connection_borrow_timeout    = 30
  }
}

resource "aws_db_proxy_target" "this" {
  count = local.proxy_count

  db_proxy_name          = aws_db_proxy.this[0].name
  target_group_name      = aws_db_proxy_default_target_group.this[0].name
  db_instance_identifier = aws_db_instance.this.identifier
}

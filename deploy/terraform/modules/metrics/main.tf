# Where metrics go and where they are looked at: the Amazon Managed Service for Prometheus
# workspace the ADOT sidecar writes to, and Managed Grafana. The rules and alarms that watch the
# environment are in the monitoring module, which reads from here and from the watched modules.

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
}

# ---------------------------------------------------------------------------
# Amazon Managed Service for Prometheus
# ---------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "prometheus" {
  name              = "/aws/vendedlogs/prometheus/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

resource "aws_prometheus_workspace" "this" {
  alias = var.name

  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.prometheus.arn}:*"
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------
# Amazon Managed Grafana (dashboards are imported by the deploy workflow)
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "grafana_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["grafana.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "grafana" {
  count = var.enable_grafana ? 1 : 0

  name               = "${var.name}-grafana"
  assume_role_policy = data.aws_iam_policy_document.grafana_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "grafana" {
  statement {
    sid = "QueryThisPrometheusWorkspace"
    actions = [
      "aps:QueryMetrics",
      "aps:GetSeries",
      "aps:GetLabels",
      "aps:GetMetricMetadata",
      "aps:DescribeWorkspace",
    ]
    resources = [aws_prometheus_workspace.this.arn]
  }

  statement {
    sid       = "ListPrometheusWorkspaces"
    actions   = ["aps:ListWorkspaces"]
    resources = ["arn:${local.partition}:aps:${local.region}:${local.account_id}:/workspaces"]
  }

  statement {
    sid = "ReadCloudWatchMetrics"
    # These actions have no resource-level permissions: the resource can only be "*".
    actions = [
      "cloudwatch:DescribeAlarmsForMetric",
      "cloudwatch:GetMetricData",
      "cloudwatch:ListMetrics",
    ]
    resources = ["*"]
  }

  statement {
    sid     = "ReadOwnAlarms"
    actions = ["cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"]
    # The alarms of this environment: every alarm name starts with "<name>-".
    resources = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name}-*"]
  }
}

resource "aws_iam_role_policy" "grafana" {
  count = var.enable_grafana ? 1 : 0

  name   = "read-metrics"
  role   = aws_iam_role.grafana[0].id
  policy = data.aws_iam_policy_document.grafana.json
}

resource "aws_grafana_workspace" "this" {
  count = var.enable_grafana ? 1 : 0

  name                     = var.name
  description              = "Dashboards for ${var.name}"
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "CUSTOMER_MANAGED"
  role_arn                 = aws_iam_role.grafana[0].arn
  grafana_version          = var.grafana_version
  data_sources             = ["PROMETHEUS", "CLOUDWATCH"]

  configuration = jsonencode({
    unifiedAlerting = { enabled = false }
  })

  tags = var.tags
}

# Used by the deploy workflow to mint a short-lived token for dashboard import.
resource "aws_grafana_workspace_service_account" "deploy" {
  count = var.enable_grafana ? 1 : 0

  name         = "github-deploy"
  grafana_role = "ADMIN"
  workspace_id = aws_grafana_workspace.this[0].id
}

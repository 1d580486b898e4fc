data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  cluster_arn = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${var.ecs_cluster_name}"
  service_arns = [
    for service in [var.ecs_service_name, var.ecs_worker_service_name] :
    "arn:${local.partition}:ecs:${local.region}:${local.account_id}:service/${var.ecs_cluster_name}/${service}"
  ]
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

# ---------------------------------------------------------------------------
# Task execution role: pull the image, write logs, read the injected secrets.
# ---------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid = "EcrAuth"
    # GetAuthorizationToken has no resource-level permissions: the resource can only be "*".
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullOwnImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid     = "WriteOwnLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # The log streams of the containers' own log groups (app, adot).
    resources = [for arn in var.log_group_arns : "${arn}:*"]
  }

  statement {
    sid       = "ReadOwnSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns
  }

  statement {
    sid       = "ReadOwnParameters"
    actions   = ["ssm:GetParameters"]
    resources = var.ssm_parameter_arns
  }

  statement {
    sid       = "DecryptOwnSecrets"
    actions   = ["kms:Decrypt"]
    resources = var.secret_kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com", "ssm.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---------------------------------------------------------------------------
# Execution role of the one-off db-bootstrap task: the only role that reads the RDS master
# secret. It pulls a public image (no ECR rights) and is not passed by the deploy role.
# ---------------------------------------------------------------------------

resource "aws_iam_role" "db_bootstrap_execution" {
  name               = "${var.name}-db-bootstrap-execution"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "db_bootstrap_execution" {
  statement {
    sid     = "WriteOneOffTaskLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # The log streams of the app log group, where the one-off tasks write.
    resources = ["${var.app_log_group_arn}:*"]
  }

  statement {
    sid       = "ReadMasterAndRoleSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.db_bootstrap_secret_arns
  }

  statement {
    sid       = "DecryptThoseSecrets"
    actions   = ["kms:Decrypt"]
    resources = var.db_bootstrap_kms_key_arns

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${local.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "db_bootstrap_execution" {
  name   = "log-read-database-secrets"
  role   = aws_iam_role.db_bootstrap_execution.id
  policy = data.aws_iam_policy_document.db_bootstrap_execution.json
}

# ---------------------------------------------------------------------------
# App task role: receipts read/write, static read, AMP remote write.
# ---------------------------------------------------------------------------

resource "aws_iam_role" "app" {
  name               = "${var.name}-app-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "app" {
  statement {
    sid = "ListReceipts"
    # Without it S3 answers a missing key with 403 instead of 404, and the storage's exists()
    # (file_overwrite = False) fails instead of picking the name.
    actions   = ["s3:ListBucket"]
    resources = [var.media_bucket_arn]
  }

  statement {
    sid     = "ReceiptsReadWrite"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    # Receipts are stored under receipts/<group>/<random name>.
    resources = ["${var.media_bucket_arn}/receipts/*"]
  }

  statement {
    sid     = "StaticManifestRead"
    actions = ["s3:GetObject"]
    # The static files under static/; the app reads only their manifest.
    resources = ["${var.static_bucket_arn}/static/*"]
  }

  statement {
    sid       = "ReceiptsKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.media_kms_key_arn]
  }

  statement {
    sid       = "StaticKeyRead"
    actions   = ["kms:Decrypt"]
    resources = [var.static_kms_key_arn]
  }

  statement {
    sid       = "PrometheusRemoteWrite"
    actions   = ["aps:RemoteWrite"]
    resources = [var.prometheus_workspace_arn]
  }
}

resource "aws_iam_role_policy" "app" {
  name   = "app-access"
  role   = aws_iam_role.app.id
  policy = data.aws_iam_policy_document.app.json
}

# ---------------------------------------------------------------------------
# Manage task role (one-off tasks: migrate, collectstatic, createsuperuser):
# writes the static bucket; no access to receipts.
# ---------------------------------------------------------------------------

resource "aws_iam_role" "manage" {
  name               = "${var.name}-manage-task"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = var.tags
}

data "aws_iam_policy_document" "manage" {
  statement {
    sid       = "ListStatic"
    actions   = ["s3:ListBucket"]
    resources = [var.static_bucket_arn]
  }

  statement {
    sid     = "StaticReadWrite"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    # collectstatic writes the files and their manifest under static/.
    resources = ["${var.static_bucket_arn}/static/*"]
  }

  statement {
    sid       = "StaticKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.static_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "manage" {
  name   = "manage-access"
  role   = aws_iam_role.manage.id
  policy = data.aws_iam_policy_document.manage.json
}

# ---------------------------------------------------------------------------
# GitHub Actions deploy role (OIDC, no long-lived keys).
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "deploy_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Only jobs of this repository that run in this GitHub environment
    # (whose protection rules, e.g. required reviewers, already passed).
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:${var.github_environment}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name}-github-deploy"
  description          = "Assumed by GitHub Actions (${var.github_repository}, environment ${var.github_environment}) to deploy"
  assume_role_policy   = data.aws_iam_policy_document.deploy_assume.json
  max_session_duration = 3600

  tags = var.tags
}

# Every action here is one that deploy/terraform/scripts/deploy.sh calls (deploy/tests check it).
data "aws_iam_policy_document" "deploy" {
  statement {
    sid = "EcrAuth"
    # GetAuthorizationToken has no resource-level permissions: the resource can only be "*".
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushOwnImage"
    # docker push (the actions AWS lists for pushing) and describe-images.
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid = "TaskDefinitions"
    # RegisterTaskDefinition and DescribeTaskDefinition have no resource-level permissions: the
    # resource can only be "*".
    actions   = ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]
    resources = ["*"]
  }

  statement {
    sid     = "RunOneOffTasks"
    actions = ["ecs:RunTask"]
    # Any revision of the manage family (each deploy registers one), in this cluster only.
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${var.manage_task_family}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  statement {
    sid     = "WatchOwnTasks"
    actions = ["ecs:DescribeTasks"]
    # The tasks of this cluster; their ids are only known once they run.
    resources = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${var.ecs_cluster_name}/*"]
  }

  statement {
    sid       = "UpdateOwnServices"
    actions   = ["ecs:DescribeServices", "ecs:UpdateService"]
    resources = local.service_arns
  }

  statement {
    sid       = "PassTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.app.arn, aws_iam_role.manage.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadDeployConfig"
    actions   = ["ssm:GetParameter"]
    resources = [var.deploy_config_parameter_arn]
  }

  statement {
    sid     = "ReadOneOffTaskLogs"
    actions = ["logs:GetLogEvents"]
    # The log streams of the app log group, where the one-off tasks write.
    resources = ["${var.app_log_group_arn}:*"]
  }

  statement {
    sid       = "InvalidateStaticCdn"
    actions   = ["cloudfront:CreateInvalidation"]
    resources = [var.cloudfront_distribution_arn]
  }

  dynamic "statement" {
    for_each = var.grafana_workspace_arn == "" ? [] : [var.grafana_workspace_arn]

    content {
      sid = "GrafanaDashboardImport"
      actions = [
        "grafana:CreateWorkspaceServiceAccountToken",
        "grafana:DeleteWorkspaceServiceAccountToken",
      ]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

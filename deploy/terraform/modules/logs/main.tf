# Where the environment's logs go: the access-log bucket (ALB, CloudFront, S3 server access logs),
# the KMS key of every log group and of the alarm topic, and the log groups of the ECS tasks.
# Nothing here depends on the modules that write logs, so they all can take what they need.

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

# Principal that delivers ALB access logs in this region.
data "aws_elb_service_account" "this" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  bucket     = "${var.name}-access-logs-${local.account_id}"
  bucket_arn = "arn:${local.partition}:s3:::${local.bucket}"

  task_log_groups = {
    app  = "/ecs/${var.name}/app"
    adot = "/ecs/${var.name}/adot"
    exec = "/ecs/${var.name}/exec"
  }
}

# ---------------------------------------------------------------------------
# Access-log bucket
# ---------------------------------------------------------------------------

data "aws_iam_policy_document" "log_delivery" {
  statement {
    sid       = "AlbAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/alb/AWSLogs/${local.account_id}/*"] # any object the ALB names under its own prefix

    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.this.arn]
    }
  }

  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/s3/*"] # any object S3 names under the server access log prefix

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# The skips below: this bucket is the *destination* of access logs. ALB log delivery only
# supports SSE-S3, and CloudFront standard logging needs ACLs, so the usual "KMS + ACLs disabled"
# rules cannot apply.
module "bucket" {
  # checkov:skip=CKV_AWS_145:ALB access log delivery only supports SSE-S3; the bucket is encrypted with AES256.
  # checkov:skip=CKV_AWS_18:This is the access-log destination bucket; logging it into itself would loop.
  # checkov:skip=CKV2_AWS_65:CloudFront standard logging writes with ACLs (awslogsdelivery); BucketOwnerPreferred keeps ownership with this account.
  source = "../private_bucket"

  bucket                  = local.bucket
  force_destroy           = var.force_destroy
  object_ownership        = "BucketOwnerPreferred"
  expiration_days         = var.expiration_days
  noncurrent_version_days = 30
  policy_documents        = [data.aws_iam_policy_document.log_delivery.json]

  tags = var.tags
}

# ---------------------------------------------------------------------------
# Log groups and their key
# ---------------------------------------------------------------------------

module "kms" {
  source = "../kms"

  alias          = "${var.name}-logs"
  description    = "${var.name} log groups and alarm notifications"
  log_group_arns = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
  service_grants = [
    {
      # Encrypted alarm topic: CloudWatch alarms and the AMP alert manager publish to it, with
      # the actions AWS documents for services that publish to encrypted SNS topics.
      sid      = "AlarmPublishers"
      services = ["cloudwatch.amazonaws.com", "aps.amazonaws.com"]
      actions  = ["kms:Decrypt", "kms:GenerateDataKey*"]
      condition = {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [local.account_id]
      }
    },
  ]

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "tasks" {
  for_each = local.task_log_groups

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = module.kms.arn

  tags = var.tags
}

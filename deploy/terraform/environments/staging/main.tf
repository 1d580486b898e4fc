locals {
  tags = {
    Project     = "splitclone"
    Environment = "staging"
    ManagedBy   = "terraform"
  }
}

# Staging: small, single-AZ and disposable. Everything but these sizes is in modules/stack.
module "stack" {
  # checkov:skip=CKV_AWS_338:Staging keeps its logs 30 days on purpose (production: 365); it holds no real users' data.
  # checkov:skip=CKV_AWS_293:Staging is disposable and torn down with terraform destroy; production sets deletion_protection.
  # checkov:skip=CKV_AWS_157:A single-AZ database in staging halves its cost; production sets db_multi_az.
  source = "../../modules/stack"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment        = "staging"
  domain_name        = var.domain_name
  github_repository  = var.github_repository
  image_tag          = var.image_tag
  alarm_email        = var.alarm_email
  default_from_email = var.default_from_email

  cidr_block         = "10.20.0.0/16"
  nat_gateway_per_az = false

  deletion_protection = false
  enable_waf          = false
  enable_grafana      = false
  force_destroy       = true

  log_retention_days         = 30
  access_log_expiration_days = 90

  db_instance_class        = "db.t4g.small"
  db_allocated_storage     = 20
  db_max_allocated_storage = 50
  db_multi_az              = false
  db_backup_retention_days = 7
  db_apply_immediately     = true

  keep_tagged_images = 30
  task_cpu           = 512
  task_memory        = 1024
  min_capacity       = 1
  max_capacity       = 2
  gunicorn_workers   = 2
}

output "stack" {
  description = "Everything the runbook asks for (name_servers, deploy_role_arn, deploy_config_parameter, ...): `terraform output stack`."
  value       = module.stack
}

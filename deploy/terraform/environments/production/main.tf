locals {
  tags = {
    Project     = "splitclone"
    Environment = "production"
    ManagedBy   = "terraform"
  }
}

# Production: highly available and protected. Everything but these sizes is in modules/stack.
module "stack" {
  source = "../../modules/stack"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  environment        = "production"
  domain_name        = var.domain_name
  github_repository  = var.github_repository
  image_tag          = var.image_tag
  alarm_email        = var.alarm_email
  default_from_email = var.default_from_email

  cidr_block         = "10.30.0.0/16"
  nat_gateway_per_az = true

  deletion_protection = true
  enable_waf          = true
  enable_grafana      = true
  force_destroy       = false

  log_retention_days         = 365
  access_log_expiration_days = 365

  db_instance_class        = "db.m7g.large"
  db_allocated_storage     = 50
  db_max_allocated_storage = 500
  db_multi_az              = true
  db_proxy                 = true
  db_backup_retention_days = 30
  db_apply_immediately     = false

  keep_tagged_images = 100
  task_cpu           = 1024
  task_memory        = 2048
  min_capacity       = 2
  max_capacity       = 10
  gunicorn_workers   = 3
}

output "stack" {
  description = "Everything the runbook asks for (name_servers, deploy_role_arn, deploy_config_parameter, ...): `terraform output stack`."
  value       = module.stack
}

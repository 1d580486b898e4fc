terraform {
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }

  # The bootstrap stack creates the state bucket, so its own state is local
  # (deploy/terraform/bootstrap/terraform.tfstate): keep that file safe, or
  # migrate it into the new bucket afterwards (docs/deploy.md).
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Project   = "splitclone"
      ManagedBy = "terraform"
      Stack     = "bootstrap"
    }
  }
}

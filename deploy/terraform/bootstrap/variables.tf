variable "region" {
  description = "Region of the state bucket and lock table (must match the `region` in the environments' backend blocks)."
  type        = string
  default     = "eu-west-1"
}

variable "state_bucket_name" {
  description = "Globally unique name of the Terraform state bucket (empty: splitclone-terraform-state-<account id>)."
  type        = string
  default     = ""
}

variable "lock_table_name" {
  description = "DynamoDB table for state locking (must match `dynamodb_table` in the backend blocks)."
  type        = string
  default     = "splitclone-terraform-locks"
}

variable "create_github_oidc_provider" {
  description = "Create the account-wide GitHub Actions OIDC provider (set false if the account already has one)."
  type        = bool
  default     = true
}

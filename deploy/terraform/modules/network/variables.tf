variable "name" {
  description = "Name prefix for every resource, e.g. splitclone-staging."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR of the VPC. Must be at least a /16 so the subnet maths below fits."
  type        = string
  default     = "10.0.0.0/16"
}

variable "az_count" {
  description = "Number of availability zones to spread the subnets over."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "Use between 2 and 4 availability zones (the ALB and RDS need at least 2)."
  }
}

variable "nat_gateway_per_az" {
  description = "true: one NAT gateway per AZ (production, no cross-AZ single point of failure). false: a single NAT gateway (staging, cheaper)."
  type        = bool
  default     = true
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints from the private subnets (S3 always gets a gateway endpoint)."
  type        = list(string)
  default     = ["ecr.api", "ecr.dkr", "secretsmanager", "logs", "ssm"]
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow log group in CloudWatch Logs."
  type        = number
  default     = 365
}

variable "task_egress_ports" {
  description = "TCP ports the ECS tasks may reach anywhere: 443 (AWS APIs without an endpoint, third-party HTTPS, ADOT remote write) and 587 (SMTP submission for EMAIL_URL)."
  type        = list(number)
  default     = [443, 587]
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

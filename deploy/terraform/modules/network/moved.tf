# State addresses from before the flow log key became a call of the kms module.

moved {
  from = aws_kms_key.flow_logs
  to   = module.flow_logs_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.flow_logs
  to   = module.flow_logs_key.aws_kms_alias.this
}

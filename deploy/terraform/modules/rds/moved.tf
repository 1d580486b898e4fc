# State addresses from before the key became a call of the kms module.

moved {
  from = aws_kms_key.rds
  to   = module.kms.aws_kms_key.this
}

moved {
  from = aws_kms_alias.rds
  to   = module.kms.aws_kms_alias.this
}

# State addresses from before the key became a call of the kms module.

moved {
  from = aws_kms_key.secrets
  to   = module.kms.aws_kms_key.this
}

moved {
  from = aws_kms_alias.secrets
  to   = module.kms.aws_kms_alias.this
}

resource "aws_iam_role" "efs_node" {
  name = "efs-node"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
  })
}

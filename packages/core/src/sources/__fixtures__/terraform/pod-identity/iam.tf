data "aws_iam_policy_document" "efs_client" {
  statement {
    sid = "EfsClient"
    actions = [
      "elasticfilesystem:ClientMount",
      "elasticfilesystem:ClientWrite",
    ]
    resources = [aws_efs_file_system.shared.arn]

    condition {
      test     = "Bool"
      variable = "elasticfilesystem:AccessedViaMountTarget"
      values   = ["true"]
    }
  }
}

resource "aws_iam_policy" "efs_client" {
  name   = "${local.cluster_name}-efs-client"
  policy = data.aws_iam_policy_document.efs_client.json
}

resource "aws_iam_role_policy_attachment" "efs_client" {
  role       = aws_iam_role.efs_node.name
  policy_arn = aws_iam_policy.efs_client.arn
}

resource "aws_iam_role_policy_attachment" "utils" {
  role       = aws_iam_role.efs_node.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonElasticFileSystemsUtils"
}

resource "aws_efs_file_system" "shared" {
  creation_token = "${local.cluster_name}-shared"
  encrypted      = true
}

data "aws_iam_policy_document" "shared_fs" {
  statement {
    sid    = "EfsCsiNode-${local.cluster_name}"
    effect = "Allow"

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.efs_node.arn]
    }

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

resource "aws_efs_file_system_policy" "shared" {
  file_system_id = aws_efs_file_system.shared.id
  policy         = data.aws_iam_policy_document.shared_fs.json
}

resource "kubernetes_storage_class_v1" "efs" {
  metadata {
    name = "efs-sc"
  }
  storage_provisioner = "efs.csi.aws.com"
  mount_options       = ["tls", "iam"]
  parameters = {
    provisioningMode = "efs-ap"
    fileSystemId     = aws_efs_file_system.shared.id
    directoryPerms   = "700"
  }
}

# IRSA for the EFS CSI node component, with the trust policy built by aws_iam_policy_document.
data "aws_caller_identity" "current" {}

locals {
  oidc_provider = replace(aws_iam_openid_connect_provider.eks.url, "https://", "")
  node_subject  = "system:serviceaccount:kube-system:efs-csi-node-sa"
}

resource "aws_iam_openid_connect_provider" "eks" {
  url             = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = []
}

data "aws_iam_policy_document" "node_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.eks.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_provider}:sub"
      values   = [local.node_subject]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "efs-csi-node-irsa"
  assume_role_policy = data.aws_iam_policy_document.node_trust.json
}

resource "aws_iam_role_policy" "node" {
  name   = "efs-client"
  role   = aws_iam_role.node.id
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Mount",
          "Effect": "Allow",
          "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          "Resource": "arn:aws:elasticfilesystem:us-east-1:${data.aws_caller_identity.current.account_id}:file-system/fs-0123456789abcdef0"
        }
      ]
    }
  EOF
}

variable "cluster_name" {
  type    = string
  default = "dev"
}

variable "node_role_arn" {
  type = string
}

variable "create_role" {
  type    = bool
  default = true
}

variable "file_system_id" {
  type = string
}

variable "extra_statements" {
  type    = list(any)
  default = []
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
}

resource "aws_eks_pod_identity_association" "efs_node" {
  cluster_name    = var.cluster_name
  namespace       = "kube-system"
  service_account = "efs-csi-node-sa"
  role_arn        = var.node_role_arn
}

resource "aws_iam_role" "efs_node" {
  count       = var.create_role ? 1 : 0
  name_prefix = "efs-node-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = {
          "aws:RequestTag/eks-cluster-name" = module.eks.cluster_name
        }
      }
    }]
  })
}

data "aws_iam_policy_document" "fs" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = var.extra_statements
    content {
      actions = statement.value.actions
    }
  }
}

resource "aws_efs_file_system_policy" "fs" {
  file_system_id = var.file_system_id
  policy         = data.aws_iam_policy_document.fs.json
}

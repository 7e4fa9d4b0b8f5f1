resource "kubernetes_service_account_v1" "efs_node" {
  metadata {
    name      = "efs-csi-node-sa"
    namespace = "kube-system"
  }
}

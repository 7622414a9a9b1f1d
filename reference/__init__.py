"""Reference mathematics of IFT 3395 Devoir 3 (theorie): pure functions, no grading logic.

``import reference`` loads numpy only. The sympy closed forms live in ``reference.symbolic``
(import it explicitly); the answer key in ``reference.key`` (texts: ``answer_key.yaml``), printed
by ``python -m reference``.

Conventions: vectors are 1-D float64 arrays (n,); inputs may be any array_like. Class labels
are 0-based (y in {0, ..., m-1}, the text's y minus 1); binary labels are in {0, 1}.
L_MSE = (sigma(o) - y)^2 (no 1/2; ``mse_half_*`` has it). ReLU'(0) = 0 by default; the L1
subgradient at 0 is 0 (sign(0) = 0); Heaviside(0) = 1/2.

Item -> functions (F = reference.functions, M = reference.mlp, C = reference.conv,
S = reference.symbolic)
=====  =========================================================================================
Q1a    F.sign_via_indicators, F.sign, F.indicator; S.sign_via_indicators
Q1b    F.relu_prime, F.relu, F.rect_via_indicator; S.relu_prime
Q1c    F.sigmoid_prime, F.sigmoid; S.sigmoid_prime
Q1d    F.identity_1d_residual; S.identity_1d
Q1e    F.identity_1e_residual, F.softplus; S.identity_1e
Q1f    F.l2_squared, F.l2_squared_grad; S.l2_squared_grad
Q1g    F.l1_norm, F.l1_grad; S.l1_grad
Q1h    F.softmax_scaled, F.is_scaling_counterexample, F.scaling_counterexample;
       S.softmax_scaled_component
Q1i    F.identity_1i_residual; S.identity_1i
Q1j    F.softmax_partial; S.softmax_partial
Q1k    F.softmax_jacobian, F.softmax_jacobian_from_x, F.diag; S.softmax_jacobian
Q1l    F.grad_log_softmax_composed; S.grad_log_softmax_composed
Q2a    M.param_shapes, M.hidden_preactivation, M.hidden_preactivation_j, M.hidden_output
Q2b    M.param_shapes, M.output_preactivation, M.output_preactivation_k
Q2c    M.output_softmax; S.softmax_component
Q2d    M.mse_loss, M.mse_grad (M.mse_half_loss, M.mse_half_grad); S.mse_loss, S.mse_grad
Q2e    M.ce_loss, M.ce_grad; S.ce_loss, S.ce_grad
Q2f    M.mse_grad_limit_wrong_side, M.ce_grad_limit_wrong_side
Q2g    M.multiclass_loss; S.multiclass_loss
Q2h    M.empirical_risk, M.param_names, M.param_shapes, M.param_count
Q2i    M.grad_oa, M.grad_oa_k, M.onehot; S.multiclass_grad
Q2j    M.grad_W2_kj, M.grad_b2_k
Q2k    M.grad_W2, M.grad_b2
Q2l    M.grad_hs_j
Q2m    M.grad_hs
Q2n    M.grad_ha_j, F.sigmoid_prime
Q2o    M.grad_ha
(all)  M.forward, M.backward, M.backward_batch, M.loss_and_grads, M.grad_W1, M.grad_b1, M.grad_x
Q3a    C.propagate, C.conv_output_size, C.pool_output_size, C.q3a_shapes, C.q3a_total
Q3b    C.conv_params, C.q3b_params
Q3c-e  C.CONFIG_CONSTRAINTS, C.is_valid_config, C.valid_configs
(all)  K.entries, K.markdown  (K = reference.key)
=====  =========================================================================================
"""

from . import conv, functions, mlp

__all__ = ["conv", "functions", "mlp"]

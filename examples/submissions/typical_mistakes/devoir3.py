"""IFT 3395 — Devoir 3, partie théorique : réponses de l'équipe 14 (Camille T., Olivier B.).
(IFT 3395 — Homework 3, theory part: answers to fill in.)

Remplacez chaque `raise NotImplementedError` par votre réponse, puis soumettez
CE SEUL FICHIER, nommé `devoir3.py`, sur Gradescope.
(Replace each `raise NotImplementedError` with your answer; submit this one file.)

Conventions (lisez-les ! / read them!)
- Écrivez les formules avec les fonctions de `outils` (exp, log, sigma,
  indicatrice, diag, ...) : elles marchent sur des nombres, des tableaux numpy et
  sur les symboles du correcteur. Un `if` sur x est permis, comme indicatrice(x > 0).
- Les vecteurs sont des vecteurs COLONNES numpy de forme (k, 1), comme dans
  l'énoncé. Une réponse vectorielle de forme (k,) est aussi acceptée ; une forme
  (1, k) ne l'est pas. Les matrices ont exactement la forme de l'énoncé.
- Les étiquettes de classe sont comptées À PARTIR DE 0 : y ∈ {0, …, m−1}
  (c'est le y de l'énoncé moins 1). Idem pour les indices i, j, k.
  (Class labels and indices are 0-based.)
- Les fonctions « scalaires » reçoivent soit un nombre, soit un tableau de
  nombres (à traiter élément par élément), soit un symbole.
- Dimensions : d = entrée, d_h = couche cachée, m = classes. Une forme se donne
  comme un tuple, p. ex. (d, 1) pour x ; un vecteur peut aussi s'écrire (d,).
- Vérifiez votre travail avec `python3 autoverification.py` (ne donne pas les
  réponses ; ce n'est pas une note).
"""
import numpy as np

from outils import (cosh, diag, exp, heaviside, indicatrice, log, maximum, onehot,  # noqa: F401
                    relu, sigma, softmax, softplus, somme, sqrt, tanh, valeur_absolue)

# =============================================================================
# Question 1 — Dérivées et relations entre fonctions usuelles
# =============================================================================


def q1a_signe(x):
    """(a) sign(x) écrite SEULEMENT avec des fonctions indicatrices.

    Ex. de syntaxe : indicatrice(x > 0). Retourne +1, -1 ou 0.
    (sign(x) using only indicator functions.)
    """
    return indicatrice(x > 0) - indicatrice(x < 0)


def q1b_derivee_relu(x):
    """(b) rect'(x), la dérivée de ReLU. En x = 0 : toute valeur de [0, 1] est acceptée.

    (Derivative of ReLU; at 0 any value in [0, 1] is accepted.)
    """
    # pente 1 à droite, 0 à gauche ; on met 0 en 0
    return indicatrice(x > 0)


def q1c_derivee_sigmoide(x):
    """(c) σ'(x) écrite en utilisant SEULEMENT la fonction sigma (appliquée à x ou -x).

    (σ'(x) written using only σ.)
    """
    # règle du quotient sur 1 / (1 + e^{-x})
    return exp(-x) / (1 + exp(-x)) ** 2


def q1d_etapes(x):
    """(d) Montrez que ln σ(x) = -softplus(-x) : une liste d'expressions en x.

    La première doit être log(sigma(x)), la dernière -softplus(-x), et chaque
    expression doit être égale à la suivante (au moins une étape intermédiaire).
    (A list of expressions from log(sigma(x)) to -softplus(-x), each equal to the next.)
    """
    # ln σ(x) = ln(1 / (1 + e^{-x})) = -ln(1 + e^{x}) = -softplus(-x)
    return [log(sigma(x)), -log(1 + exp(x)), -softplus(-x)]


def q1e_etapes(x):
    """(e) Montrez que softplus(x) - softplus(-x) = x : une liste d'expressions en x.

    Première : softplus(x) - softplus(-x) ; dernière : x ; au moins une étape entre les deux.
    """
    # c'est direct avec la définition de softplus
    return [softplus(x) - softplus(-x), x]


def q1f_gradient_l2_carre(x):
    """(f) Gradient de ||x||_2^2 par rapport à x ; x est un vecteur colonne (n, 1).

    (Gradient of the squared L2 norm.)
    """
    return 2 * x


def q1g_gradient_l1(x):
    """(g) Gradient de ||x||_1 ; x est un vecteur colonne (n, 1).

    Pour une composante nulle, toute valeur de [-1, 1] est acceptée (sous-gradient).
    (Gradient of the L1 norm; any value in [-1, 1] where a component is 0.)
    """
    # dérivée de |x_i| = x_i / |x_i|
    return x / valeur_absolue(x)


def q1h_contre_exemple():
    """(h) Un contre-exemple montrant que S(c x) n'est pas toujours égal à S(x).

    Retournez un tuple (x, c) : x un vecteur (liste ou tableau) d'au moins 2
    nombres, c >= 0 un nombre, tels que softmax(c * x) != softmax(x).
    (Return (x, c), c >= 0, with softmax(c x) != softmax(x).)
    """
    # x = (1, 1) et c = 2 : S(2x) devrait différer de S(x)
    return [1.0, 1.0], 2.0


def q1i_etapes(x, c, i):
    """(i) Montrez que S(x + c)_i = S(x)_i : une liste d'expressions.

    x est un vecteur de 3 symboles (x[0], x[1], x[2]), c un symbole, i un entier
    (0, 1 ou 2). Première expression : S(x + c)_i (p. ex. softmax(x + c)[i] ou
    sa définition avec exp) ; dernière : S(x)_i, sans c. Chaque expression doit
    être égale à la suivante ; au moins une étape intermédiaire.
    Astuce : somme(exp(x + c)) écrit la somme sur j.
    """
    return [softmax(x + c)[i],
            exp(x[i] + c) / somme(exp(x + c)),
            exp(x[i]) * exp(c) / (exp(c) * somme(exp(x))),
            softmax(x)[i]]


def q1j_etapes(x, i, j):
    """(j) Montrez que ∂S(x)_i/∂x_j = S(x)_i 1{i=j} - S(x)_i S(x)_j : une liste d'expressions.

    x : vecteur de 3 symboles ; i, j : entiers (0-2). Première expression : la
    dérivée ∂S_i/∂x_j calculée à partir de la définition (avec exp, sans softmax) ;
    dernière : la formule écrite avec S = softmax(x) seulement (indicatrice(i == j)
    est permis). Chaque expression égale la suivante ; au moins une étape entre les deux.
    """
    Z = somme(exp(x))
    S = softmax(x)
    return [(indicatrice(i == j) * exp(x[i]) * Z - exp(x[i]) * exp(x[j])) / Z ** 2,
            exp(x[i]) / Z * indicatrice(i == j) - exp(x[i]) * exp(x[j]) / Z ** 2,
            S[i] * indicatrice(i == j) - S[i] * S[j]]


def q1k_jacobienne_softmax(S):
    """(k) La jacobienne ∂S(x)/∂x (n × n) en fonction du vecteur S = S(x) de forme (n, 1).

    Vous devez utiliser la fonction diag : celle d'outils, ou son équivalent numpy
    (np.diagflat, ou np.diag d'un vecteur 1-D). (Jacobian of softmax from S, using diag.)
    """
    # J = diag(S) - S^T S
    return diag(S) - S.T @ S


def q1l_gradient_log_softmax(J, S, i):
    """(l) ∇_u log S(x(u))_i.

    J : la jacobienne de x(u), forme (n, p) ; sa ligne k est (∇_u x_k)^T.
    S : S(x(u)), forme (n, 1). i : entier (0-based).
    Retourne le gradient, de forme (p, 1) (ou (p,)).
    """
    # E_j[∇x_j] = moyenne des gradients ∇x_j (les lignes de J)
    return J[i] - J.mean(axis=0)


# =============================================================================
# Question 2 — Gradients d'un MLP à une couche cachée
# d = entrée, d_h = couche cachée, m = classes ; W1 (d_h, d), W2 (m, d_h)
# =============================================================================


def q2a_dimension_b1(d, d_h, m):
    """(a) La forme de b^(1), un tuple écrit avec d, d_h et m (p. ex. (m, d) pour une matrice m × d)."""
    return (d_h, 1)


def q2a_preactivation(W1, b1, x):
    """(a) h^a (vecteur colonne) à partir de W1 (d_h, d), b1 (d_h, 1), x (d, 1)."""
    return W1 @ x + b1


def q2a_preactivation_j(W1, b1, x, j):
    """(a) La composante h^a_j (un nombre), écrite élément par élément (somme sur k)."""
    return sum(W1[j, k] * x[k, 0] for k in range(len(x))) + b1[j, 0]


def q2a_sortie_cachee(ha):
    """(a) h^s en fonction de h^a (d_h, 1)."""
    return sigma(ha)


def q2b_dimensions(d, d_h, m):
    """(b) Les formes de W^(2) et b^(2) : dict {"W2": (..., ...), "b2": (..., ...)}."""
    # W2 relie les d_h neurones cachés aux m sorties
    return {"W2": (d_h, m), "b2": (m, 1)}


def q2b_activation_sortie(W2, b2, hs):
    """(b) o^a à partir de W2, b2 (m, 1) et h^s (d_h, 1)."""
    return W2 @ hs + b2


def q2b_activation_sortie_k(W2, b2, hs, k):
    """(b) La composante o^a_k (un nombre)."""
    return W2[k] @ hs[:, 0] + b2[k, 0]


def q2c_softmax(oa):
    """(c) o^s = softmax(o^a), écrit avec exp ; o^a de forme (m, 1).

    Doit rester exact et fini même pour |o^a| de l'ordre de 1000.
    """
    e = exp(oa)
    return e / somme(e)


def q2c_pourquoi():
    """(c) Pourquoi est-il important que les o^s_k soient positifs et somment à 1 ?

    Parmi les affirmations suivantes, retournez la liste des lettres de TOUTES celles qui
    sont vraies, p. ex. ["A", "F"] (ordre et casse indifférents ; une chaîne "AF" est
    aussi acceptée). Les affirmations sont notées ensemble, tout ou rien, et la
    correction ne dit pas laquelle est mal classée.
      "A" : o^s s'interprète comme une distribution de probabilité sur les m classes :
            o^s_k joue le rôle de p(y = k | x) ;
      "B" : comme chaque o^s_k est strictement positif, la perte −log o^s_y est
            toujours finie ;
      "C" : la normalisation rend le calcul du gradient plus rapide ;
      "D" : la normalisation rend la perte convexe en W^(1) ;
      "E" : (pour m ≥ 2) chaque o^s_k est strictement compris entre 0 et 1 ;
      "F" : positifs et de somme 1, les o^s_k valent tous 1/m ;
      "G" : la normalisation empêche le surapprentissage.
    """
    return ["A", "B", "E"]


def q2d_perte_mse(oa, y):
    """(d) L_MSE(σ(o^a), y) pour y ∈ {0, 1} ; o^a est un nombre (ou un tableau de nombres).

    Convention : (σ(o^a) - y)^2 ; la variante 1/2 (σ(o^a) - y)^2 est aussi acceptée
    si votre dérivée (q2d_derivee_mse) suit la même.
    """
    return (sigma(oa) - y) ** 2


def q2d_derivee_mse(oa, y):
    """(d) ∂L_MSE(σ(o^a), y)/∂o^a."""
    # dL/do = (σ - y) σ'(o)
    return (sigma(oa) - y) * sigma(oa) * (1 - sigma(oa))


def q2e_perte_ce(oa, y):
    """(e, bonus) L_CE(σ(o^a), y) pour y ∈ {0, 1}. Doit rester finie pour |o^a| ≈ 1000."""
    return y * softplus(-oa) + (1 - y) * softplus(oa)


def q2e_derivee_ce(oa, y):
    """(e, bonus) ∂L_CE(σ(o^a), y)/∂o^a."""
    return sigma(oa) - y


def q2f_limites():
    """(f, bonus) Les limites des deux gradients, pour y = 0 et y = 1, quand o^a → -∞ et o^a → +∞ :

    retournez {"mse": L_mse, "ce": L_ce, "meilleure": "mse" ou "ce" (la perte la plus appropriée)}
    où L[y][0] est la limite de ∂L/∂o^a pour l'étiquette y quand o^a → -∞ et L[y][1] quand
    o^a → +∞ (un tableau 2 × 2 de nombres : [[y=0, -∞ ; y=0, +∞], [y=1, -∞ ; y=1, +∞]]).
    Les huit limites sont notées ensemble. La conclusion est jugée d'après VOS limites là où
    la prédiction est très fausse (y = 1, o^a → -∞ et y = 0, o^a → +∞).
    (The limits of both gradients for y in {0, 1} as o^a -> -inf and +inf, as 2 x 2 tables
    L[y][side], graded together; the conclusion is judged on YOUR limits.)
    """
    return {"mse": [[0, 0], [0, 0]], "ce": [[0, 1], [-1, 0]], "meilleure": "ce"}


def q2g_perte(oa, y):
    """(g) L(x, y) = -log o^s_y écrite directement en fonction de o^a (m, 1) ; y ∈ {0..m-1}.

    Doit rester finie et exacte pour |o^a| ≈ 1000.
    """
    # L = -o^a_y + log Σ_k exp(o^a_k), avec le max soustrait pour la stabilité
    c = np.max(oa)
    return -oa[y - 1, 0] + c + log(somme(exp(oa - c)))


def q2h_risque_empirique(X, Y, W1, b1, W2, b2):
    """(h) Le risque empirique R̂ : moyenne des pertes sur le jeu de données.

    X : (n, d), une ligne par exemple ; Y : (n,) entiers dans {0..m-1} ;
    b1 (d_h, 1), b2 (m, 1). Retourne un nombre.
    """
    pertes = []
    for x, y in zip(X, Y):
        ha = W1 @ x.reshape(-1, 1) + b1
        oa = W2 @ sigma(ha) + b2
        c = np.max(oa)
        pertes.append(-oa[y, 0] + c + np.log(np.sum(np.exp(oa - c))))
    return np.mean(pertes)


def q2h_parametres():
    """(h) L'ensemble θ des paramètres : une liste de noms, p. ex. ["W1", ...]."""
    return ["W1", "b1", "W2", "b2"]


def q2h_nombre_parametres(d, d_h, m):
    """(h) n_θ, le nombre de paramètres scalaires (un entier)."""
    # les poids des deux couches
    return d_h * d + m * d_h


def q2h_probleme():
    """(h) Le problème d'optimisation de l'entraînement.

    Parmi les affirmations suivantes, retournez la liste des lettres de TOUTES celles qui
    sont vraies, p. ex. ["B", "D"] (ordre et casse indifférents ; une chaîne "BD" est
    aussi acceptée). Les affirmations sont notées ensemble, tout ou rien, et la
    correction ne dit pas laquelle est mal classée.
      "A" : θ* = argmin_θ R̂(θ) ;
      "B" : θ* = argmax_θ R̂(θ) ;
      "C" : R̂(θ) est la moyenne de la perte sur les n exemples d'entraînement ;
      "D" : on optimise aussi sur les entrées x^(i) ;
      "E" : θ* minimise la perte du premier exemple seulement ;
      "F" : R̂ est une fonction convexe de θ, donc θ* est unique ;
      "G" : minimiser R̂ revient à maximiser la log-vraisemblance moyenne
            (1/n) Σ_i log o^s_{y^(i)}(x^(i)).
    """
    return ["A", "C", "G"]


def q2i_derivee_oa_k(oa, y, k):
    """(i) ∂L/∂o^a_k (un nombre) calculée à partir de L(o^a), pour k ≠ y et k = y."""
    return softmax(oa)[k, 0] - indicatrice(k == y)


def q2i_gradient_oa(os, y):
    """(i) ∂L/∂o^a (m, 1) en fonction de o^s (m, 1) et de y (0-based)."""
    # onehot attend un indice 0-based, et y va de 1 à m dans l'énoncé
    return os - onehot(y - 1, len(os))


def q2j_derivee_W2_kj(grad_oa, hs, k, j):
    """(j) ∂L/∂W2_kj en fonction de grad_oa = ∂L/∂o^a (m, 1) et h^s (d_h, 1)."""
    return grad_oa[k, 0] * hs[j, 0]


def q2j_derivee_b2_k(grad_oa, k):
    """(j) ∂L/∂b2_k."""
    return grad_oa[k, 0]


def q2k_gradient_W2(grad_oa, hs):
    """(k) ∂L/∂W2 sous forme matricielle (même forme que W2)."""
    return hs @ grad_oa.T


def q2k_gradient_b2(grad_oa):
    """(k) ∂L/∂b2 sous forme vectorielle."""
    return grad_oa


def q2k_dimensions(d, d_h, m):
    """(k) Les formes : dict {"grad_oa": ..., "hs": ..., "grad_W2": ..., "grad_b2": ...}."""
    return {"grad_oa": (m, 1), "hs": (d_h, 1), "grad_W2": (d_h, m), "grad_b2": (m, 1)}


def q2l_derivee_hs_j(grad_oa, W2, j):
    """(l) ∂L/∂h^s_j en fonction de grad_oa (m, 1) et W2 (m, d_h)."""
    total = 0
    for k in range(W2.shape[0]):
        total += grad_oa[k, 0] * W2[k, j]
    return total


def q2m_gradient_hs(grad_oa, W2):
    """(m) ∂L/∂h^s sous forme matricielle."""
    return W2 @ grad_oa


def q2m_dimensions(d, d_h, m):
    """(m) Les formes : dict {"W2": ..., "grad_oa": ..., "grad_hs": ...}."""
    return {"W2": (m, d_h), "grad_oa": (m, 1), "grad_hs": (d_h, 1)}


def q2n_derivee_sigma(z):
    """(n) σ'(z), sous la forme de votre choix."""
    return sigma(z) * (1 - sigma(z))


def q2n_derivee_ha_j(grad_hs, ha, j):
    """(n) ∂L/∂h^a_j en fonction de grad_hs = ∂L/∂h^s (d_h, 1) et h^a (d_h, 1)."""
    # h^s_j = σ(h^a_j)
    return grad_hs[j, 0] * sigma(ha[j, 0])


def q2o_gradient_ha(grad_hs, ha):
    """(o) ∂L/∂h^a sous forme matricielle/vectorielle."""
    return grad_hs * sigma(ha)


def q2o_dimensions(d, d_h, m):
    """(o) Les formes : dict {"grad_hs": ..., "ha": ..., "grad_ha": ...}."""
    return {"grad_hs": (d_h, 1), "ha": (d_h, 1), "grad_ha": (d_h, 1)}


# =============================================================================
# Question 3 — Réseau de neurones à convolution
# =============================================================================


def q3_taille_sortie(n, k, s, p, d):
    """(a) Taille de sortie (un entier) d'une convolution sur un axe de taille n :
    noyau k, pas s, marge p (de chaque côté), dilatation d (d = 1 : sans dilatation).
    """
    return (n + 2 * p - d * (k - 1) - 1) / s + 1


def q3a_formes():
    """(a) Les formes (canaux, hauteur, largeur) après chaque couche et la dimension totale :

    {"couche1": (C, H, W), "couche2": (C, H, W), "couche3": (C, H, W), "total": un entier}
    """
    # conv 8x8 pas 2 : (128 - 8)/2 + 1 = 61
    # max-pool 5x5 : 61 - 5 + 1 = 57
    # conv 4x4 pas 1 marge 1 : 57 + 2 - 4 + 1 = 56
    return {"couche1": (32, 61, 61), "couche2": (32, 57, 57), "couche3": (128, 56, 56),
            "total": 128 * 56 * 56}


def q3b_nombre_parametres_conv(c_in, c_out, k):
    """(b) Nombre de poids (sans biais) d'une convolution c_in -> c_out, noyau k × k."""
    return c_out * c_in * k * k


def q3b_parametres_derniere_couche():
    """(b) Nombre de paramètres (sans biais) de la dernière couche (un entier)."""
    # 128 noyaux de 32 x 4 x 4, plus un biais par noyau
    return q3b_nombre_parametres_conv(32, 128, 4) + 128


def q3c_configurations(n, n_sortie):
    """(c, bonus) TOUTES les configurations (k, s, p, d) sans marge ni dilatation (p = 0,
    d = 1) qui transforment une entrée n × n en une sortie n_sortie × n_sortie (n_sortie ≥ 2) :
    une liste de dictionnaires {"k": ..., "s": ..., "p": 0, "d": 1} (ou de tuples (k, s, p, d)), dans n'importe quel ordre.
    L'énoncé : n = 32, n_sortie = 4. Premier point : les configurations données pour l'énoncé
    sont valides (à un près) ; second point : la liste est complète, pour l'énoncé et pour
    d'autres tailles. Il suffit de parcourir k et s de 1 à n + 2p.
    (EVERY valid configuration for an n x n input and an n_sortie x n_sortie output, as a list.)
    """
    return [{"k": k, "s": s, "p": 0, "d": 1} for k in range(1, n + 1) for s in range(1, n + 1)
            if (n - k) // s + 1 == n_sortie]


def q3d_configurations(n, n_sortie):
    """(d, bonus) TOUTES les configurations (k, s, p, d) avec d = 2 et p = 2 qui transforment une
    entrée n × n en une sortie n_sortie × n_sortie (n_sortie ≥ 2) : une liste de dictionnaires
    {"k": ..., "s": ..., "p": 2, "d": 2} (ou de tuples (k, s, p, d)), dans n'importe quel ordre.
    L'énoncé : n = 32, n_sortie = 4. Premier point : les configurations données pour l'énoncé
    sont valides (à un près) ; second point : la liste est complète, pour l'énoncé et pour
    d'autres tailles. Il suffit de parcourir k et s de 1 à n + 2p.
    (EVERY valid configuration for an n x n input and an n_sortie x n_sortie output, as a list.)
    """
    # (32 + 2*2 - k)/s + 1 = 4 avec k = 6, s = 10
    return [{"k": 6, "s": 10, "p": 2, "d": 2}]


def q3e_configurations(n, n_sortie):
    """(e, bonus) TOUTES les configurations (k, s, p, d) avec p = 1, d = 1 et s = 2 qui
    transforment une entrée n × n en une sortie n_sortie × n_sortie (n_sortie ≥ 2) :
    une liste de dictionnaires {"k": ..., "s": 2, "p": 1, "d": 1} (ou de tuples (k, s, p, d)), dans n'importe quel ordre.
    L'énoncé : n = 32, n_sortie = 4. Premier point : les configurations données pour l'énoncé
    sont valides (à un près) ; second point : la liste est complète, pour l'énoncé et pour
    d'autres tailles. Il suffit de parcourir k et s de 1 à n + 2p.
    (EVERY valid configuration for an n x n input and an n_sortie x n_sortie output, as a list.)
    """
    return [{"k": k, "s": 2, "p": 1, "d": 1} for k in range(1, n + 3)
            if (n + 2 - k) // 2 + 1 == n_sortie]

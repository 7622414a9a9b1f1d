"""IFT 3395 — Devoir 3, partie théorique : réponses à remplir.
(IFT 3395 — Homework 3, theory part: answers to fill in.)

Remplacez chaque `raise NotImplementedError` par votre réponse, puis soumettez
CE SEUL FICHIER, nommé `devoir3.py`, sur Gradescope.
(Replace each `raise NotImplementedError` with your answer; submit this one file.)

Conventions (lisez-les ! / read them!)
- Écrivez les formules avec les fonctions de `outils` (exp, log, sigma,
  indicatrice, diag, ...) : elles marchent sur des nombres, des tableaux numpy et
  sur les symboles du correcteur. Un `if` sur x est permis (le correcteur suit
  ses deux branches), tout comme indicatrice(x > 0).
  Les fonctions élémentaires de numpy et de math (np.exp, np.log1p, np.logaddexp,
  math.log, ...) se lisent aussi, comme vos propres sigma, softplus ou softmax
  si elles calculent la même chose. Seuls numpy et outils sont disponibles.
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
- Là où la docstring dit « formule exacte » (dérivées, gradients, jacobienne),
  la réponse est la formule obtenue en dérivant, pas une approximation
  numérique : un quotient différentiel (f(x + h) − f(x − h)) / 2h, quel que
  soit h, y est compté faux. (There, the exact formula, not an approximation.)
- Une dérivation (1.d, 1.e, 1.i, 1.j) est une preuve : une liste d'expressions dont
  chacune égale la suivante, et dont les étapes intermédiaires sont de vraies
  réécritures. Répéter une expression, lui ajouter + 0, × 1 ou log(exp(…)), ou
  combiner le départ et l'arrivée (leur moyenne, …) n'est pas une étape. La preuve
  doit montrer l'idée que chaque docstring nomme ; sans elle, l'item ne rapporte
  rien, même si le départ et l'arrivée sont justes.
- Vérifiez votre travail avec `python3 autoverification.py` (ne donne pas les
  réponses ; ce n'est pas une note).
"""
import numpy as np

from outils import (cosh, diag, exp, heaviside, indicatrice, log, maximum, onehot,  # noqa: F401
                    relu, sigma, softmax, softplus, somme, sqrt, tanh)

# =============================================================================
# Question 1 — Dérivées et relations entre fonctions usuelles
# =============================================================================


def q1a_signe(x):
    """(a) sign(x) écrite SEULEMENT avec des fonctions indicatrices.

    Ex. de syntaxe : indicatrice(x > 0). Retourne +1, -1 ou 0.
    (sign(x) using only indicator functions.)
    """
    raise NotImplementedError


def q1b_derivee_relu(x):
    """(b) rect'(x), la dérivée de ReLU. En x = 0 : toute valeur de [0, 1] est acceptée.

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    (Derivative of ReLU, exact formula; at 0 any value in [0, 1] is accepted.)
    """
    raise NotImplementedError


def q1c_derivee_sigmoide(x):
    """(c) σ'(x) écrite en utilisant SEULEMENT la fonction sigma (appliquée à x ou -x).

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    (σ'(x) written using only σ: the exact formula.)
    """
    raise NotImplementedError


def q1d_etapes(x):
    """(d) Montrez que ln σ(x) = -softplus(-x) : une liste d'expressions en x.

    La première doit être log(sigma(x)), la dernière -softplus(-x), et chaque
    expression doit être égale à la suivante (au moins une étape intermédiaire réelle).
    L'idée à montrer : σ écrite avec sa définition (avec exp).
    (A list of expressions from log(sigma(x)) to -softplus(-x), each equal to the next;
    show σ written by its definition.)
    """
    raise NotImplementedError


def q1e_etapes(x):
    """(e) Montrez que softplus(x) - softplus(-x) = x : une liste d'expressions en x.

    Première : softplus(x) - softplus(-x) ; dernière : x ; au moins une étape réelle entre
    les deux. L'idée à montrer : les deux softplus réunis en un seul logarithme (le log d'un
    quotient ou d'un produit).
    """
    raise NotImplementedError


def q1f_gradient_l2_carre(x):
    """(f) Gradient de ||x||_2^2 par rapport à x ; x est un vecteur colonne (n, 1).

    (Gradient of the squared L2 norm.)
    """
    raise NotImplementedError


def q1g_gradient_l1(x):
    """(g) Gradient de ||x||_1 ; x est un vecteur colonne (n, 1).

    Pour une composante nulle, toute valeur de [-1, 1] est acceptée (sous-gradient).
    Formule exacte (le gradient écrit), pas une approximation numérique.
    (Gradient of the L1 norm, exact formula; any value in [-1, 1] where a component is 0.)
    """
    raise NotImplementedError


def q1h_contre_exemple():
    """(h) Un contre-exemple montrant que S(c x) n'est pas toujours égal à S(x).

    Retournez un tuple (x, c) : x un vecteur (liste ou tableau) d'au moins 2
    nombres finis, c >= 0 un nombre fini, tels que softmax(c * x) != softmax(x).
    (Return (x, c), c >= 0, with softmax(c x) != softmax(x).)
    """
    raise NotImplementedError


def q1i_etapes(x, c, i):
    """(i) Montrez que S(x + c)_i = S(x)_i : une liste d'expressions.

    x est un vecteur de 3 symboles (x[0], x[1], x[2]), c un symbole, i un entier
    (0, 1 ou 2). Première expression : S(x + c)_i (p. ex. softmax(x + c)[i] ou
    sa définition avec exp) ; dernière : S(x)_i, sans c. Chaque expression doit
    être égale à la suivante ; au moins une étape intermédiaire réelle. L'idée à
    montrer : c se simplifie (le facteur e^c mis à part, ou c qui s'annule dans un exposant).
    Astuce : somme(exp(x + c)) écrit la somme sur j.
    """
    raise NotImplementedError


def q1j_etapes(x, i, j):
    """(j) Montrez que ∂S(x)_i/∂x_j = S(x)_i 1{i=j} - S(x)_i S(x)_j : une liste d'expressions.

    x : vecteur de 3 symboles ; i, j : entiers (0-2). Première expression : la
    dérivée ∂S_i/∂x_j calculée à partir de la définition (avec exp, sans softmax) ;
    dernière : la formule écrite avec S = softmax(x) seulement (indicatrice(i == j)
    est permis). Chaque expression égale la suivante ; au moins une étape réelle entre les
    deux. L'idée à montrer : la dérivée par rapport à x_j du dénominateur Σ_k e^{x_k}
    apparaît, quelle que soit la règle (quotient, produit, dérivée logarithmique). Elle peut
    être votre première expression ; un départ qui n'est que le résultat écrit avec exp ne
    compte que suivi d'une étape réelle.
    """
    raise NotImplementedError


def q1k_jacobienne_softmax(S):
    """(k) La jacobienne ∂S(x)/∂x (n × n) en fonction du vecteur S = S(x) de forme (n, 1).

    Vous devez utiliser la fonction diag : celle d'outils, ou son équivalent numpy
    (np.diagflat, ou np.diag d'un vecteur 1-D). Formule exacte (la jacobienne écrite),
    pas une approximation numérique. (Jacobian of softmax from S, using diag: exact formula.)
    """
    raise NotImplementedError


def q1l_gradient_log_softmax(J, S, i):
    """(l) ∇_u log S(x(u))_i.

    J : la jacobienne de x(u), forme (n, p) ; sa ligne k est (∇_u x_k)^T.
    S : S(x(u)), forme (n, 1). i : entier (0-based).
    Retourne le gradient, de forme (p, 1) (ou (p,)).
    """
    raise NotImplementedError


# =============================================================================
# Question 2 — Gradients d'un MLP à une couche cachée
# d = entrée, d_h = couche cachée, m = classes ; W1 est la matrice d_h × d de l'énoncé.
# Les autres formes sont des questions (2.a, 2.b, 2.k, 2.m, 2.o) : les docstrings ne les
# donnent pas ; vos fonctions reçoivent des tableaux numpy de la bonne forme.
# =============================================================================


def q2a_dimension_b1(d, d_h, m):
    """(a) La forme de b^(1), un tuple écrit avec d, d_h et m (p. ex. (m, d) pour une matrice m × d)."""
    raise NotImplementedError


def q2a_preactivation(W1, b1, x):
    """(a) h^a (vecteur colonne) à partir de W1 (d_h × d), de b1, le vecteur de biais de la
    couche cachée (de la forme que vous donnez en 2.a), et de l'entrée x (vecteur colonne)."""
    raise NotImplementedError


def q2a_preactivation_j(W1, b1, x, j):
    """(a) La composante h^a_j (un nombre).

    L'énoncé demande de détailler ce calcul élément par élément ; ici seule la valeur
    est notée : toute écriture correcte est acceptée.
    """
    raise NotImplementedError


def q2a_sortie_cachee(ha):
    """(a) h^s en fonction de h^a, le vecteur des pré-activations de la couche cachée."""
    raise NotImplementedError


def q2b_dimensions(d, d_h, m):
    """(b) Les formes de W^(2) et b^(2) : dict {"W2": (..., ...), "b2": (..., ...)}."""
    raise NotImplementedError


def q2b_activation_sortie(W2, b2, hs):
    """(b) o^a à partir de W2 et b2 (les poids et le biais de la couche de sortie, des formes que
    vous donnez en 2.b) et de h^s, la sortie de la couche cachée."""
    raise NotImplementedError


def q2b_activation_sortie_k(W2, b2, hs, k):
    """(b) La composante o^a_k (un nombre)."""
    raise NotImplementedError


def q2c_softmax(oa):
    """(c) o^s = softmax(o^a), écrit avec exp (la formule, pas un appel à une fonction
    softmax toute faite) ; o^a est le vecteur colonne des activations de sortie.

    Doit rester exact et fini même pour |o^a| de l'ordre de 1000.
    """
    raise NotImplementedError


def q2c_pourquoi():
    """(c) Pourquoi est-il important que les o^s_k soient positifs et somment à 1 ?

    Parmi les affirmations suivantes, retournez la liste des lettres de TOUTES celles qui
    sont vraies, p. ex. ["A", "F"] (ordre et casse indifférents ; une chaîne "AF" ou "A, F" est
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
    raise NotImplementedError


def q2d_perte_mse(oa, y):
    """(d) L_MSE(σ(o^a), y) pour y ∈ {0, 1} ; o^a est un nombre (ou un tableau de nombres).

    Convention : (σ(o^a) - y)^2 ; la variante 1/2 (σ(o^a) - y)^2 est aussi acceptée
    si votre dérivée (q2d_derivee_mse) suit la même.
    """
    raise NotImplementedError


def q2d_derivee_mse(oa, y):
    """(d) ∂L_MSE(σ(o^a), y)/∂o^a.

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    """
    raise NotImplementedError


def q2e_perte_ce(oa, y):
    """(e, bonus) L_CE(σ(o^a), y) pour y ∈ {0, 1}. Doit rester finie pour |o^a| ≈ 1000."""
    raise NotImplementedError


def q2e_derivee_ce(oa, y):
    """(e, bonus) ∂L_CE(σ(o^a), y)/∂o^a.

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    """
    raise NotImplementedError


def q2f_limites():
    """(f, bonus) Les limites des deux gradients, pour y = 0 et y = 1, quand o^a → -∞ et o^a → +∞ :

    retournez {"mse": L_mse, "ce": L_ce, "meilleure": "mse" ou "ce" (la perte la plus appropriée)}
    où L[y][0] est la limite de ∂L/∂o^a pour l'étiquette y quand o^a → -∞ et L[y][1] quand
    o^a → +∞ (un tableau 2 × 2 de nombres : [[y=0, -∞ ; y=0, +∞], [y=1, -∞ ; y=1, +∞]]).
    Un tableau peut aussi s'écrire {0: L[0], 1: L[1]}. Les huit limites sont notées ensemble.
    La conclusion est jugée d'après VOS limites : elles doivent s'annuler là où la prédiction
    est juste (y = 0, o^a → -∞ et y = 1, o^a → +∞) ; là où elle est très fausse (y = 1,
    o^a → -∞ et y = 0, o^a → +∞), la meilleure perte est celle dont le gradient reste non nul
    dans les DEUX cas alors que l'autre s'annule dans au moins un. Sinon la conclusion n'est
    pas évaluée.
    (The limits of both gradients for y in {0, 1} as o^a -> -inf and +inf, as 2 x 2 tables
    L[y][side], graded together; the conclusion is judged on YOUR limits: the loss whose
    gradient stays non-zero in both very-wrong cases while the other's vanishes in one.)
    """
    raise NotImplementedError


def q2g_perte(oa, y):
    """(g) L(x, y) = -log o^s_y écrite directement en fonction de o^a (vecteur colonne) ; y ∈ {0..m-1}.

    Doit rester finie et exacte pour |o^a| ≈ 1000.
    """
    raise NotImplementedError


def q2h_risque_empirique(X, Y, W1, b1, W2, b2):
    """(h) Le risque empirique R̂ : moyenne des pertes sur le jeu de données.

    X : (n, d), une ligne par exemple ; Y : (n,) entiers dans {0..m-1} ;
    W1, b1, W2, b2 : les paramètres (formes de l'énoncé et de vos réponses à 2.a et 2.b).
    Retourne un nombre.
    """
    raise NotImplementedError


def q2h_parametres():
    """(h) L'ensemble θ des paramètres : une liste de noms, p. ex. ["W1", ...]."""
    raise NotImplementedError


def q2h_nombre_parametres(d, d_h, m):
    """(h) n_θ, le nombre de paramètres scalaires (un entier)."""
    raise NotImplementedError


def q2h_probleme():
    """(h) Le problème d'optimisation de l'entraînement.

    Parmi les affirmations suivantes, retournez la liste des lettres de TOUTES celles qui
    sont vraies, p. ex. ["B", "D"] (ordre et casse indifférents ; une chaîne "BD" ou "B, D" est
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
    raise NotImplementedError


def q2i_derivee_oa_k(oa, y, k):
    """(i) ∂L/∂o^a_k (un nombre), pour k ≠ y et pour k = y.

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    """
    raise NotImplementedError


def q2i_gradient_oa(os, y):
    """(i) Le vecteur ∂L/∂o^a en fonction de o^s (le vecteur des sorties) et de y (0-based)."""
    raise NotImplementedError


def q2j_derivee_W2_kj(grad_oa, hs, k, j):
    """(j) ∂L/∂W2_kj en fonction de grad_oa = ∂L/∂o^a et de h^s (des vecteurs colonnes)."""
    raise NotImplementedError


def q2j_derivee_b2_k(grad_oa, k):
    """(j) ∂L/∂b2_k."""
    raise NotImplementedError


def q2k_gradient_W2(grad_oa, hs):
    """(k) ∂L/∂W2 (une matrice).

    L'énoncé demande la forme matricielle ; ici seule la valeur est notée : toute façon
    correcte de la calculer (produit matriciel, boucles) est acceptée.
    """
    raise NotImplementedError


def q2k_gradient_b2(grad_oa):
    """(k) ∂L/∂b2, un vecteur (seule la valeur est notée)."""
    raise NotImplementedError


def q2k_dimensions(d, d_h, m):
    """(k) Les formes : dict {"grad_oa": ..., "hs": ..., "grad_W2": ..., "grad_b2": ...}."""
    raise NotImplementedError


def q2l_derivee_hs_j(grad_oa, W2, j):
    """(l) ∂L/∂h^s_j en fonction de grad_oa = ∂L/∂o^a et de W2."""
    raise NotImplementedError


def q2m_gradient_hs(grad_oa, W2):
    """(m) ∂L/∂h^s, un vecteur (seule la valeur est notée, quelle que soit l'écriture)."""
    raise NotImplementedError


def q2m_dimensions(d, d_h, m):
    """(m) Les formes : dict {"W2": ..., "grad_oa": ..., "grad_hs": ...}."""
    raise NotImplementedError


def q2n_derivee_sigma(z):
    """(n) σ'(z), sous la forme de votre choix.

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    """
    raise NotImplementedError


def q2n_derivee_ha_j(grad_hs, ha, j):
    """(n) ∂L/∂h^a_j en fonction de grad_hs = ∂L/∂h^s et de h^a (des vecteurs colonnes).

    Formule exacte (la dérivée écrite), pas une approximation numérique.
    """
    raise NotImplementedError


def q2o_gradient_ha(grad_hs, ha):
    """(o) ∂L/∂h^a, un vecteur : toute écriture de la formule exacte (le gradient écrit) est
    acceptée ; une approximation numérique ne l'est pas.
    """
    raise NotImplementedError


def q2o_dimensions(d, d_h, m):
    """(o) Les formes : dict {"grad_hs": ..., "ha": ..., "grad_ha": ...}."""
    raise NotImplementedError


# =============================================================================
# Question 3 — Réseau de neurones à convolution
# =============================================================================


def q3_taille_sortie(n, k, s, p, d):
    """(a) Taille de sortie (un entier) d'une convolution sur un axe de taille n :
    noyau k, pas s, marge p (de chaque côté), dilatation d (d = 1 : sans dilatation).
    """
    raise NotImplementedError


def q3a_formes():
    """(a) Les formes (canaux, hauteur, largeur) après chaque couche et la dimension totale :

    {"couche1": (C, H, W), "couche2": (C, H, W), "couche3": (C, H, W), "total": un entier}
    L'ordre (hauteur, largeur, canaux) de l'énoncé est aussi accepté s'il est suivi
    pour les trois couches.
    """
    raise NotImplementedError


def q3b_nombre_parametres_conv(c_in, c_out, k):
    """(b) Nombre de poids (sans biais) d'une convolution c_in -> c_out, noyau k × k."""
    raise NotImplementedError


def q3b_parametres_derniere_couche():
    """(b) Nombre de paramètres (sans biais) de la dernière couche (un entier)."""
    raise NotImplementedError


def q3c_configurations(n, n_sortie):
    """(c, bonus) TOUTES les configurations (k, s, p, d) sans marge ni dilatation (p = 0,
    d = 1) qui transforment une entrée n × n en une sortie n_sortie × n_sortie (n_sortie ≥ 2) :
    une liste de dictionnaires {"k": ..., "s": ..., "p": 0, "d": 1} (ou de tuples (k, s, p, d)), dans n'importe quel ordre.
    L'énoncé : n = 32, n_sortie = 4. Premier point : pour l'énoncé, la liste contient au moins
    une configuration valide et au plus une qui ne l'est pas (une erreur est pardonnée) ;
    second point : la liste est exactement l'ensemble des configurations valides, pour
    l'énoncé et pour d'autres tailles, petites ou grandes. Il suffit de parcourir k et s de 1
    à n + 2p.
    (EVERY valid configuration for an n x n input and an n_sortie x n_sortie output, as a list.)
    """
    raise NotImplementedError


def q3d_configurations(n, n_sortie):
    """(d, bonus) TOUTES les configurations (k, s, p, d) avec d = 2 et p = 2 qui transforment une
    entrée n × n en une sortie n_sortie × n_sortie (n_sortie ≥ 2) : une liste de dictionnaires
    {"k": ..., "s": ..., "p": 2, "d": 2} (ou de tuples (k, s, p, d)), dans n'importe quel ordre.
    L'énoncé : n = 32, n_sortie = 4. Premier point : pour l'énoncé, la liste contient au moins
    une configuration valide et au plus une qui ne l'est pas (une erreur est pardonnée) ;
    second point : la liste est exactement l'ensemble des configurations valides, pour
    l'énoncé et pour d'autres tailles, petites ou grandes. Il suffit de parcourir k et s de 1
    à n + 2p.
    (EVERY valid configuration for an n x n input and an n_sortie x n_sortie output, as a list.)
    """
    raise NotImplementedError


def q3e_configurations(n, n_sortie):
    """(e, bonus) TOUTES les configurations (k, s, p, d) avec p = 1, d = 1 et s = 2 qui
    transforment une entrée n × n en une sortie n_sortie × n_sortie (n_sortie ≥ 2) :
    une liste de dictionnaires {"k": ..., "s": 2, "p": 1, "d": 1} (ou de tuples (k, s, p, d)), dans n'importe quel ordre.
    L'énoncé : n = 32, n_sortie = 4. Premier point : pour l'énoncé, la liste contient au moins
    une configuration valide et au plus une qui ne l'est pas (une erreur est pardonnée) ;
    second point : la liste est exactement l'ensemble des configurations valides, pour
    l'énoncé et pour d'autres tailles, petites ou grandes. Il suffit de parcourir k et s de 1
    à n + 2p.
    (EVERY valid configuration for an n x n input and an n_sortie x n_sortie output, as a list.)
    """
    raise NotImplementedError

-- Every kind of a stored-value ledger entry in one list: 0014 (a tier's
-- upgrade reward) and 0019 (a scratch card's prize) each set the list
-- with their own kind only.
ALTER TABLE wallet_entries MODIFY kind
	ENUM('recharge', 'payment', 'refund', 'adjustment', 'order',
	    'order_refund', 'tier_reward', 'scratch') NOT NULL;

import i18n from '../i18n';

// The words of the console's balance tab (not in the storefront's first load).

const zh = {
  tab: '结算',
  payable: '应付货款余额',
  payableNote: '平台应付给本企业的销售分成，已扣除退款、手续费和已支付款项',
  payableCredits: '累计入账',
  payableCreditsNote: '历次销售记入的货款',
  payableDebits: '累计扣减',
  payableDebitsNote: '退款、手续费和已支付给本企业的款项',
  unallocatedShare: '待分配农户份额',
  unallocatedShareNote: '销售中惠及农户的份额，尚待扶贫办分配到具体农户',
  commitmentOwed: '应缴标识承诺金',
  commitmentOwedNote: '已申报的平台外销售承诺金中尚未缴纳的部分',
};

const en: typeof zh = {
  tab: 'Balance',
  payable: 'Payable to us',
  payableNote: "the producer's share of sales the platform owes, net of refunds, fees and payouts",
  payableCredits: 'Credited in all',
  payableCreditsNote: 'what sales have credited',
  payableDebits: 'Debited in all',
  payableDebitsNote: 'refunds, fees and what was paid out to the producer',
  unallocatedShare: 'Household share to allocate',
  unallocatedShareNote: 'the share of sales for households that the relief office has yet to allocate',
  commitmentOwed: 'LOGO commitment owed',
  commitmentOwedNote: 'declared commitments on sales outside the platform, not yet paid',
};

i18n.addResourceBundle('zh', 'translation', { balance: zh }, true, true);
i18n.addResourceBundle('en', 'translation', { balance: en }, true, true);

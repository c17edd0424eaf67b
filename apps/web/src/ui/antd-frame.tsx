import { App, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { ComponentType } from 'react';
import { useTranslation } from 'react-i18next';

// Colours chosen for WCAG AA contrast on white (the default greens and golds are not).
const THEME = {
  token: {
    colorPrimary: '#a8071a',
    colorLink: '#a8071a',
    colorSuccess: '#237804',
    colorWarning: '#ad4e00',
    colorError: '#cf1322',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)',
    fontFamily:
      '-apple-system, BlinkMacSystemFont, "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif',
  },
};

/** `Page` inside Ant Design's provider: the language's locale, the theme, message and modal hooks. */
export function framed(Page: ComponentType): ComponentType {
  return function Framed() {
    const { t, i18n } = useTranslation();
    return (
      <ConfigProvider
        locale={i18n.language === 'en' ? enUS : zhCN}
        theme={THEME}
        // Kit's own "no data" is too faint for WCAG AA; this one is not.
        renderEmpty={() => <span className="yg-muted">{t('common.none')}</span>}
      >
        <App>
          <Page />
        </App>
      </ConfigProvider>
    );
  };
}
